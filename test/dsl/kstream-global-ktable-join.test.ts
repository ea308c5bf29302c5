import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** Orders keyed by order id, valued `<customer id>:<item>`; customers in a global table keyed by id. */
function run(kind: 'join' | 'leftJoin') {
  const builder = new StreamsBuilder();
  const customers = builder.globalTable<string, string>('customers', {}, { storeName: 'customers' });
  const orders = builder.stream<string, string>('orders');
  const customerOf = (_orderId: string, order: string) => order.split(':')[0] ?? null;
  const joiner = (order: string, customer: string | null) => `${order}@${customer ?? '-'}`;
  const joined =
    kind === 'join' ? orders.join(customers, customerOf, joiner) : orders.leftJoin(customers, customerOf, joiner);
  joined.to('out');
  const topology = builder.build();
  driver = stringDriver(topology);
  const d = driver;
  return {
    topology,
    driver: d,
    orders: d.createInputTopic('orders', str, str),
    customers: d.createInputTopic('customers', str, str),
    output: () => d.createOutputTopic('out', str, str).readKeyValuesToList(),
  };
}

describe('KStream-GlobalKTable join', () => {
  it('looks up the row the key selector picks; the stream key stays; table updates emit nothing', () => {
    const { orders, customers, output } = run('join');
    orders.pipeInput('o1', 'c1:pen', 1);
    customers.pipeInput('c1', 'Ann', 2);
    orders.pipeInput('o2', 'c1:ink', 3);
    customers.pipeInput('c1', 'Ann Smith', 4);
    orders.pipeInput('o3', 'c1:pad', 5);
    customers.pipeInput('c1', null as unknown as string, 6);
    orders.pipeInput('o4', 'c1:cap', 7);
    expect(output()).toEqual([
      { key: 'o2', value: 'c1:ink@Ann' },
      { key: 'o3', value: 'c1:pad@Ann Smith' },
    ]);
  });

  it('left join emits every order, with null for a missing customer', () => {
    const { orders, customers, output } = run('leftJoin');
    orders.pipeInput('o1', 'c1:pen', 1);
    customers.pipeInput('c1', 'Ann', 2);
    orders.pipeInput('o2', 'c1:ink', 3);
    orders.pipeInput('o3', 'c9:pad', 4);
    expect(output()).toEqual([
      { key: 'o1', value: 'c1:pen@-' },
      { key: 'o2', value: 'c1:ink@Ann' },
      { key: 'o3', value: 'c9:pad@-' },
    ]);
  });

  it('an inner join drops records whose selected key is null, counting them', () => {
    const builder = new StreamsBuilder();
    const customers = builder.globalTable<string, string>('customers', {}, { storeName: 'customers' });
    builder
      .stream<string, string>('orders')
      .join(
        customers,
        () => null as unknown as string,
        (order, customer) => `${order}@${customer}`,
      )
      .to('out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('orders', str, str).pipeInput('o1', 'c1:pen', 1);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([]);
    expect(driver.droppedRecords().nullKey).toBe(1);
  });

  it('keeps the stream in its own sub-topology: the global store is read, not connected', () => {
    const { topology } = run('join');
    const joinNode = topology.nodes().find((node) => node.name.startsWith('KSTREAM-JOIN-'));
    expect(joinNode).toMatchObject({ kind: 'processor', stores: [] });
    expect(topology.describe().toString()).toContain(
      '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [orders])\n' +
        '      --> KSTREAM-JOIN-0000000003\n' +
        '    Processor: KSTREAM-JOIN-0000000003 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000002\n',
    );
  });
});

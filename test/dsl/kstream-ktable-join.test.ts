import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KStream, KTable } from '../../src/dsl/types.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const joiner = (order: string, customer: string | null) => `${order}@${customer ?? '-'}`;

function run(build: (builder: StreamsBuilder) => void) {
  const builder = new StreamsBuilder();
  build(builder);
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

describe('KStream-KTable join', () => {
  it('joins each stream record with the current table value; table updates emit nothing', () => {
    const { orders, customers, output } = run((builder) => {
      const table = builder.table<string, string>('customers');
      builder.stream<string, string>('orders').join(table, joiner).to('out');
    });
    orders.pipeInput('c1', 'o1', 1); // no row yet: dropped by the inner join
    customers.pipeInput('c1', 'Ann', 2);
    customers.pipeInput('c2', 'Bob', 3);
    orders.pipeInput('c1', 'o2', 4);
    customers.pipeInput('c1', 'Ann Smith', 5);
    orders.pipeInput('c1', 'o3', 6);
    orders.pipeInput('c2', 'o4', 7);
    expect(output()).toEqual([
      { key: 'c1', value: 'o2@Ann' },
      { key: 'c1', value: 'o3@Ann Smith' },
      { key: 'c2', value: 'o4@Bob' },
    ]);
  });

  it('left join emits every stream record, with null for a missing row or after a table tombstone', () => {
    const { orders, customers, output } = run((builder) => {
      const table = builder.table<string, string>('customers');
      builder.stream<string, string>('orders').leftJoin(table, joiner).to('out');
    });
    orders.pipeInput('c1', 'o1', 1);
    customers.pipeInput('c1', 'Ann', 2);
    orders.pipeInput('c1', 'o2', 3);
    customers.pipeInput('c1', null as unknown as string, 4);
    orders.pipeInput('c1', 'o3', 5);
    expect(output()).toEqual([
      { key: 'c1', value: 'o1@-' },
      { key: 'c1', value: 'o2@Ann' },
      { key: 'c1', value: 'o3@-' },
    ]);
  });

  it('an inner join stops matching after a table tombstone', () => {
    const { orders, customers, output } = run((builder) => {
      builder.stream<string, string>('orders').join(builder.table<string, string>('customers'), joiner).to('out');
    });
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('c1', 'o1', 2);
    customers.pipeInput('c1', null as unknown as string, 3);
    orders.pipeInput('c1', 'o2', 4);
    expect(output()).toEqual([{ key: 'c1', value: 'o1@Ann' }]);
  });

  it('drops stream records with a null key (inner) or null value, counting them', () => {
    const { driver, orders, customers, output } = run((builder) => {
      builder.stream<string, string>('orders').join(builder.table<string, string>('customers'), joiner).to('out');
    });
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput(null as unknown as string, 'o1', 2);
    orders.pipeInput('c1', null as unknown as string, 3);
    expect(output()).toEqual([]);
    expect(driver.droppedRecords().nullKey).toBe(2);
  });

  it('looks up a table materialized under a name and through an unmaterialized filter', () => {
    const { orders, customers, output } = run((builder) => {
      const vip = builder
        .table<string, string>('customers', {}, { storeName: 'customers-store' })
        .filter((_id, name) => name.startsWith('V'));
      builder.stream<string, string>('orders').leftJoin(vip, joiner).to('out');
    });
    customers.pipeInput('c1', 'Vera', 1);
    customers.pipeInput('c2', 'Bob', 2);
    orders.pipeInput('c1', 'o1', 3);
    orders.pipeInput('c2', 'o2', 4);
    expect(output()).toEqual([
      { key: 'c1', value: 'o1@Vera' },
      { key: 'c2', value: 'o2@-' },
    ]);
  });

  it('repartitions a re-keyed stream through <join name>-repartition before the lookup', () => {
    const { topology, orders, customers, output } = run((builder) => {
      const table = builder.table<string, string>('customers');
      builder
        .stream<string, string>('orders')
        .selectKey((_orderId, customerId) => customerId)
        .join(table, (customer, name) => `${customer}:${name}`, { name: 'enrich' })
        .to('out');
    });
    expect(topology.internalTopics().map((t) => t.name)).toEqual(['enrich-repartition']);
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('order-1', 'c1', 2);
    expect(output()).toEqual([{ key: 'c1', value: 'c1:Ann' }]);
  });

  it('materializes a joined source table and reads stream and table in one sub-topology', () => {
    const builder = new StreamsBuilder();
    const table: KTable<string, string> = builder.table('customers');
    const joined: KStream<string, string> = builder.stream<string, string>('orders').join(table, joiner);
    joined.to('out');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [orders])\n' +
        '      --> KSTREAM-JOIN-0000000004\n' +
        '    Processor: KSTREAM-JOIN-0000000004 (stores: [customers-STATE-STORE-0000000000])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000003\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [customers])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)\n' +
        '      <-- KSTREAM-JOIN-0000000004\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [customers-STATE-STORE-0000000000])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n\n',
    );
  });

  it('refuses an outer join with a table', () => {
    const builder = new StreamsBuilder();
    const table = builder.table<string, string>('customers');
    const stream = builder.stream<string, string>('orders') as unknown as {
      outerJoin(other: unknown, joiner: unknown): unknown;
    };
    expect(() => stream.outerJoin(table, joiner)).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_INVALID', message: expect.stringContaining('outerJoin()') }),
    );
    try {
      stream.outerJoin(table, joiner);
    } catch (error) {
      expect(isKStreamsError(error)).toBe(true);
    }
  });
});

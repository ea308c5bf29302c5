import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { ProcessorSupplier } from '../../src/processor/processor.ts';
import { Serdes } from '../../src/serdes/index.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';

const str = Serdes.string();

/** Looks each order's customer up in the global store and forwards "order by name" (or "unknown"). */
const enrichWithCustomer: ProcessorSupplier<string, string, string, string> = () => {
  let customers: KeyValueStore<string, string>;
  let forward: (record: { key: string; value: string; timestamp: number; headers: [] }) => void;
  return {
    init: (context) => {
      customers = context.getStateStore<KeyValueStore<string, string>>('customers');
      forward = (record) => context.forward(record);
    },
    process: (record) => {
      const name = customers.get(record.value) ?? 'unknown';
      forward({ key: record.key, value: `${record.key} by ${name}`, timestamp: record.timestamp, headers: [] });
    },
  };
};

function enrichmentTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('orders', { keySerde: str, valueSerde: str })
    .process(enrichWithCustomer)
    .to('enriched', { keySerde: str, valueSerde: str });
  // Declared after the stream on purpose: processors see the global store whatever the order.
  builder.globalTable<string, string>('customers', { keySerde: str, valueSerde: str }, { storeName: 'customers' });
  return builder.build();
}

describe('TopologyTestDriver with a global table', () => {
  it('updates the global store at once and lets stream processors read it', async () => {
    const driver = new TopologyTestDriver(enrichmentTopology());
    const customers = driver.createInputTopic<string, string | null>('customers', str, str);
    const orders = driver.createInputTopic('orders', str, str);
    const enriched = driver.createOutputTopic('enriched', str, str);

    orders.pipeInput('o1', 'c1');
    customers.pipeInput('c1', 'Ada');
    orders.pipeInput('o2', 'c1');
    customers.pipeInput('c1', 'Ada L.');
    customers.pipeInput('c2', 'Grace');
    orders.pipeInput('o3', 'c1');
    orders.pipeInput('o4', 'c2');
    customers.pipeInput('c2', null);
    orders.pipeInput('o5', 'c2');

    expect(enriched.readValuesToList()).toEqual([
      'o1 by unknown',
      'o2 by Ada',
      'o3 by Ada L.',
      'o4 by Grace',
      'o5 by unknown',
    ]);
    expect([...driver.getKeyValueStore<string, string>('customers').all()]).toEqual([{ key: 'c1', value: 'Ada L.' }]);
    await driver.close();
  });

  it('writes no changelog for a global store: its topic is the changelog', async () => {
    const driver = new TopologyTestDriver(enrichmentTopology(), { applicationId: 'global-app' });
    driver.createInputTopic('customers', str, str).pipeInput('c1', 'Ada');
    expect(driver.recordsOf('global-app-customers-changelog')).toEqual([]);
    expect(driver.getKeyValueStore<string, string>('customers').get('c1')).toBe('Ada');
    await driver.close();
  });

  it('still refuses a stream store that is not connected to the processor', async () => {
    const builder = new StreamsBuilder();
    builder.table<string, string>('users', { keySerde: str, valueSerde: str }, { storeName: 'users' });
    builder
      .stream<string, string>('orders', { keySerde: str, valueSerde: str })
      .process<string, string>(() => ({
        init: (context) => {
          context.getStateStore('users');
        },
        process: () => undefined,
      }))
      .to('out', { keySerde: str, valueSerde: str });
    let error: unknown;
    try {
      new TopologyTestDriver(builder.build());
    } catch (thrown) {
      error = thrown;
    }
    // init failures come wrapped with the processor's name; the cause says which store.
    expect(isKStreamsError((error as Error | undefined)?.cause, 'STATE_STORE_NOT_CONNECTED')).toBe(true);
  });
});

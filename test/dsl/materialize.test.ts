import { describe, expect, it } from 'vitest';
import { keyValueStoreBuilder } from '../../src/dsl/internals/materialize.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStoreBuilder } from '../../src/state/key-value-store-builder.ts';
import { Stores } from '../../src/state/stores.ts';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str } from './support/run-topology.ts';

const long = Serdes.long();

describe('the store behind DSL tables and aggregations', () => {
  it('is persistent, cached and logged by default, as in Kafka Streams', () => {
    const builder = keyValueStoreBuilder<string, number>('counts', { storeName: 'counts' }, str, long);
    expect(builder).toMatchObject({ name: 'counts', persistent: true, cachingEnabled: true, loggingEnabled: true });
  });

  it('follows Materialized: in memory, uncached, unlogged, or a custom supplier', () => {
    const chosen = keyValueStoreBuilder<string, number>(
      'counts',
      { storeType: 'in-memory', caching: false, logging: false },
      undefined,
      undefined,
    );
    expect(chosen).toMatchObject({ persistent: false, cachingEnabled: false, loggingEnabled: false });
    const configured = keyValueStoreBuilder<string, number>(
      'counts',
      { loggingConfigs: { 'segment.ms': '60000' } },
      str,
      long,
    ) as KeyValueStoreBuilder<string, number>;
    expect(configured.loggingConfigs).toEqual({ 'segment.ms': '60000' });
    const supplied = keyValueStoreBuilder(
      'counts',
      { storeSupplier: Stores.inMemoryKeyValueStore('counts') },
      str,
      long,
    );
    expect(supplied.persistent).toBe(false);
    expect(() =>
      keyValueStoreBuilder('counts', { storeSupplier: Stores.inMemoryKeyValueStore('other') }, str, long),
    ).toThrow(/supplier is named "other"/);
  });

  it('without caching, an aggregation forwards every update at once, before any commit', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .count({ storeName: 'counts', caching: false })
      .toStream()
      .to('out', { valueSerde: long });
    const driver = new TopologyTestDriver(builder.build(), { commitEveryRecord: false });
    const clicks = driver.createInputTopic('clicks', str, str);
    clicks.pipeInput('p', '.');
    clicks.pipeInput('p', '.');
    expect(driver.createOutputTopic('out', str, long).readValuesToList()).toEqual([1, 2]);
    await driver.close();
  });

  it('with caching, a table source forwards one deduplicated update per key at commit, old value included', async () => {
    const builder = new StreamsBuilder();
    builder
      .table('users', { keySerde: str, valueSerde: str }, { storeName: 'users' })
      .mapValues((name, id) => `${id}=${name}`)
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(builder.build(), { commitEveryRecord: false });
    const users = driver.createInputTopic('users', str, str);
    users.pipeInput('1', 'ann');
    driver.commit();
    users.pipeInput('1', 'anne');
    users.pipeInput('1', 'annie');
    users.pipeInput('2', 'bob');
    users.pipeInput('2', null as unknown as string);
    driver.commit();
    // Key 2 came and went between commits: nothing to forward for it.
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: '1', value: '1=ann' },
      { key: '1', value: '1=annie' },
    ]);
    await driver.close();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { ProcessorContext } from '../../src/processor/processor-context.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { inMemoryKeyValueStore } from '../../src/state/memory/in-memory-key-value-store.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

describe('KStream.split', () => {
  it('sends each record to the first matching branch, else to the default branch', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', { keySerde: str, valueSerde: Serdes.long() })
      .split({ name: 'size-' })
      .branch((_k, v) => v < 10, { name: 'small' })
      .branch((_k, v) => v < 100, { name: 'medium' })
      .defaultBranch({ name: 'large' });
    expect([...branches.keys()]).toEqual(['size-small', 'size-medium', 'size-large']);
    for (const [name, stream] of branches) stream.to(name, { valueSerde: Serdes.long() });
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, Serdes.long()).pipeKeyValueList([
      { key: 'a', value: 5 },
      { key: 'b', value: 50 },
      { key: 'c', value: 500 },
      { key: 'd', value: 1 },
    ]);
    const read = (topic: string) => driver!.createOutputTopic(topic, str, Serdes.long()).readValuesToList();
    expect(read('size-small')).toEqual([5, 1]);
    expect(read('size-medium')).toEqual([50]);
    expect(read('size-large')).toEqual([500]);
  });

  it('names unnamed branches by position (0 for the default) and can chain a branch', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', { keySerde: str, valueSerde: str })
      .split()
      .branch((k) => k === 'x', { chain: (s) => s.mapValues((v) => `x:${v}`) })
      .branch((k) => k === 'y', {
        chain: (s) => {
          s.to('y-out');
          return undefined;
        },
      })
      .noDefaultBranch();
    expect([...branches.keys()]).toEqual(['KSTREAM-BRANCH-00000000011']);
    branches.get('KSTREAM-BRANCH-00000000011')!.to('x-out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: 'x', value: '1' },
      { key: 'y', value: '2' },
      { key: 'z', value: '3' },
    ]);
    expect(driver.createOutputTopic('x-out', str, str).readValuesToList()).toEqual(['x:1']);
    expect(driver.createOutputTopic('y-out', str, str).readValuesToList()).toEqual(['2']);
  });

  it('refuses a split without predicates, naming the split and the fix', () => {
    const builder = new StreamsBuilder();
    const split = builder.stream('in').split({ name: 'router' });
    expect(() => split.defaultBranch()).toThrow(
      /split "router" has no branches.*Add at least one \.branch\(predicate\)/,
    );
    try {
      builder.stream('other').split().noDefaultBranch();
    } catch (error) {
      expect(isKStreamsError(error, 'TOPOLOGY_INVALID')).toBe(true);
    }
  });
});

describe('KStream.process', () => {
  it('refuses a store that was not added, naming it', () => {
    const builder = new StreamsBuilder();
    expect(() => builder.stream('in').process(() => ({ process: () => undefined }), 'missing')).toThrow(
      /No state store named "missing".*addStateStore/,
    );
  });

  it('runs a Processor API processor with a store added through the builder', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(inMemoryKeyValueStore<string, number>('seen', str));
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .process<string, number>(
        () => {
          let context: ProcessorContext<string, number>;
          let seen: KeyValueStore<string, number>;
          return {
            init: (c) => {
              context = c;
              seen = c.getStateStore<KeyValueStore<string, number>>('seen');
            },
            process: (record) => {
              const count = (seen.get(record.key) ?? 0) + 1;
              seen.put(record.key, count);
              context.forward({ ...record, value: count });
            },
          };
        },
        { name: 'counter' },
        'seen',
      )
      .to('out', { valueSerde: Serdes.long() });
    expect(builder.build().describe().toString()).toContain('Processor: counter (stores: [seen])');
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: 'a', value: '.' },
      { key: 'a', value: '.' },
      { key: 'b', value: '.' },
    ]);
    expect(driver.createOutputTopic('out', str, Serdes.long()).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'b', value: 1 },
    ]);
  });
});

describe('KStream.repartition', () => {
  it('writes to and reads back from a named internal topic in a new sub-topology', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value', partitions: 4 })
      .mapValues((v) => v.toUpperCase())
      .to('out');
    const topology = builder.build();
    expect(topology.internalTopics()).toEqual([{ name: 'by-value-repartition', kind: 'repartition', partitions: 4 }]);
    expect(topology.describe().subtopologies.map((s) => s.sourceTopics)).toEqual([['in'], ['by-value-repartition']]);
    driver = stringDriver(topology);
    driver.createInputTopic('in', str, str).pipeInput('k', 'v');
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'v', value: 'V' }]);
  });

  it('generates Kafka Streams names without a name', () => {
    const builder = new StreamsBuilder();
    builder.stream('in').repartition().to('out');
    const text = builder.build().describe().toString();
    expect(text).toContain('Sink: KSTREAM-SINK-0000000002 (topic: KSTREAM-REPARTITION-0000000001-repartition)');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000004 (topics: [KSTREAM-REPARTITION-0000000001-repartition])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000005 (topic: out)');
  });

  it('refuses a partition count that is not a positive whole number', () => {
    const builder = new StreamsBuilder();
    expect(() => builder.stream('in').repartition({ name: 'r', partitions: 0 })).toThrow(/positive whole number/);
  });
});

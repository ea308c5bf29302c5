import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { ProcessorContext } from '../../src/processor/processor-context.ts';
import { Topology } from '../../src/processor/topology.ts';
import { changelogSource } from '../../src/runtime/changelog-records.ts';
import { Serdes } from '../../src/serdes/index.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { inMemoryKeyValueStore } from '../../src/state/memory/in-memory-key-value-store.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';

const strings = { keyDeserializer: Serdes.string(), valueDeserializer: Serdes.string() };
const stringSink = { keySerializer: Serdes.string(), valueSerializer: Serdes.string() };

/** A word counter written with the Processor API: count per key in a store, forward the new count. */
function countingTopology(): Topology {
  return new Topology()
    .addSource('words', 'words', strings)
    .addProcessor<string, string, string, string>(
      'count',
      () => {
        let context: ProcessorContext<string, string>;
        return {
          init: (c) => {
            context = c;
          },
          process: (record) => {
            const store = context.getStateStore<KeyValueStore<string, number>>('counts');
            const count = (store.get(record.key) ?? 0) + 1;
            store.put(record.key, count);
            context.forward({ ...record, value: String(count) });
          },
        };
      },
      'words',
    )
    .addStateStore(inMemoryKeyValueStore('counts', Serdes.string()), 'count')
    .addSink('out', 'counts', stringSink, 'count');
}

describe('TopologyTestDriver', () => {
  it('runs a stateful Processor API topology and exposes its store', async () => {
    const driver = new TopologyTestDriver(countingTopology());
    const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('counts', Serdes.string(), Serdes.string());
    input.pipeKeyValueList([
      { key: 'a', value: 'x' },
      { key: 'b', value: 'x' },
      { key: 'a', value: 'x' },
    ]);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '1' },
      { key: 'a', value: '2' },
    ]);
    expect(output.isEmpty()).toBe(true);
    expect([...driver.getKeyValueStore<string, number>('counts').all()]).toEqual([
      { key: 'a', value: 2 },
      { key: 'b', value: 1 },
    ]);
    await driver.close();
  });

  it('keeps timestamps and headers, and forwards to a named child only', () => {
    const topology = new Topology()
      .addSource('in', 'in', strings)
      .addProcessor<string, string, string, string>(
        'router',
        () => {
          let context: ProcessorContext<string, string>;
          return {
            init: (c) => {
              context = c;
            },
            process: (record) => context.forward(record, record.value.startsWith('!') ? 'alerts' : 'normal'),
          };
        },
        'in',
      )
      .addSink('normal', 'normal-out', stringSink, 'router')
      .addSink('alerts', 'alerts-out', stringSink, 'router');
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'hello', 1000, [{ key: 'h', value: Buffer.from('1') }]);
    input.pipeInput('k', '!fire', 2000);
    const normal = driver.createOutputTopic('normal-out', Serdes.string(), Serdes.string()).readRecordsToList();
    expect(normal).toEqual([
      { key: 'k', value: 'hello', timestamp: 1000, headers: [{ key: 'h', value: Buffer.from('1') }] },
    ]);
    expect(driver.createOutputTopic('alerts-out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      '!fire',
    ]);
  });

  it('feeds records written to a topic the topology reads back in (repartition), in order', () => {
    const topology = new Topology()
      .addSource('in', 'in', strings)
      .addProcessor<string, string, string, string>(
        'rekey',
        () => {
          let context: ProcessorContext<string, string>;
          return {
            init(c) {
              context = c;
            },
            process: (r) => context.forward({ ...r, key: r.value }),
          };
        },
        'in',
      )
      .addSink('to-repartition', 'app-rekey-repartition', stringSink, 'rekey')
      .addSource('from-repartition', 'app-rekey-repartition', strings)
      .addSink('out', 'out', stringSink, 'from-repartition');
    const driver = new TopologyTestDriver(topology);
    expect(topology.describe().subtopologies).toHaveLength(2);
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeKeyValueList([
      { key: '1', value: 'a' },
      { key: '2', value: 'b' },
    ]);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'a' },
      { key: 'b', value: 'b' },
    ]);
  });

  it('fires stream-time punctuation as records move time, and wall-clock punctuation as the clock moves', () => {
    const fired: string[] = [];
    const topology = new Topology().addSource('in', 'in', strings).addProcessor<string, string>(
      'ticker',
      () => ({
        init: (context) => {
          context.schedule(10, 'stream-time', (t) => fired.push(`stream@${t}`));
          context.schedule(1000, 'wall-clock', (t) => fired.push(`wall@${t}`));
        },
        process: () => undefined,
      }),
      'in',
    );
    const driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'v', 100);
    input.pipeInput('k', 'v', 105);
    input.pipeInput('k', 'v', 95);
    input.pipeInput('k', 'v', 110);
    input.pipeInput('k', 'v', 145);
    expect(fired).toEqual(['stream@100', 'stream@110', 'stream@145']);
    driver.advanceWallClockTime(999);
    driver.advanceWallClockTime(1);
    driver.advanceWallClockTime(2500);
    expect(fired.slice(3)).toEqual(['wall@1000', 'wall@3500']);
  });

  it('fails on a record it cannot read, naming topic, partition and offset', () => {
    const topology = new Topology()
      .addSource('in', 'in', { keyDeserializer: Serdes.string(), valueDeserializer: Serdes.json<{ n: number }>() })
      .addSink('out', 'out', { keySerializer: Serdes.string(), valueSerializer: Serdes.json<{ n: number }>() }, 'in');
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', '{"n":1}');
    expect(() => input.pipeInput('k', '{not json')).toThrow(/could not read the record in in-0 at offset 1/);
  });

  it('skips an unreadable record with log-and-continue and goes on', () => {
    const topology = new Topology()
      .addSource('in', 'in', { keyDeserializer: Serdes.string(), valueDeserializer: Serdes.json<{ n: number }>() })
      .addSink('out', 'out', { keySerializer: Serdes.string(), valueSerializer: Serdes.json<{ n: number }>() }, 'in');
    const warnings: string[] = [];
    const driver = new TopologyTestDriver(topology, {
      errorHandling: { deserialization: 'log-and-continue', processing: 'fail' },
      logger: { debug: () => {}, info: () => {}, error: () => {}, warn: (m) => void warnings.push(m) },
    });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', '{broken');
    input.pipeInput('k', '{"n":2}');
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.json<{ n: number }>()).readValuesToList()).toEqual([
      { n: 2 },
    ]);
    expect(warnings).toEqual(['Skipped a record that failed deserialization.']);
  });

  it('dead-letters a record a processor throws on, with the original bytes and headers naming the cause', () => {
    const topology = new Topology()
      .addSource('in', 'orders', strings)
      .addProcessor<string, string, string, string>(
        'validate',
        () => {
          let context: ProcessorContext<string, string>;
          return {
            init(c) {
              context = c;
            },
            process: (record) => {
              if (record.value === 'poison') throw new Error('quantity must be positive');
              context.forward(record);
            },
          };
        },
        'in',
      )
      .addSink('out', 'valid-orders', stringSink, 'validate');
    const driver = new TopologyTestDriver(topology, {
      errorHandling: { deserialization: 'fail', processing: 'dead-letter', deadLetterTopic: 'orders-dlq' },
    });
    const input = driver.createInputTopic('orders', Serdes.string(), Serdes.string());
    input.pipeInput('o1', 'ok', 10);
    input.pipeInput('o2', 'poison', 20, [{ key: 'trace', value: Buffer.from('t-2') }]);
    input.pipeInput('o3', 'ok', 30);

    expect(driver.createOutputTopic('valid-orders', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'ok' },
      { key: 'o3', value: 'ok' },
    ]);
    const [dead, ...more] = driver.recordsOf('orders-dlq');
    expect(more).toEqual([]);
    expect(dead?.key?.toString()).toBe('o2');
    expect(dead?.value?.toString()).toBe('poison');
    expect(dead?.timestamp).toBe(20);
    expect(Object.fromEntries(dead?.headers.map((h) => [h.key, h.value.toString()]) ?? [])).toEqual({
      trace: 't-2',
      'kstreams.error.code': 'PROCESSING_FAILED',
      'kstreams.error.message': 'Processor "validate" failed: quantity must be positive',
      'kstreams.error.stage': 'processing',
      'kstreams.error.node': 'validate',
      'kstreams.source.topic': 'orders',
      'kstreams.source.partition': '0',
      'kstreams.source.offset': '1',
    });
  });

  it('refuses a store that is not connected to the processor, naming both', () => {
    const topology = new Topology()
      .addSource('in', 'in', strings)
      .addProcessor<string, string>(
        'sneaky',
        () => {
          let context: ProcessorContext<never, never>;
          return {
            init(c) {
              context = c;
            },
            process: () => void context.getStateStore('counts'),
          };
        },
        'in',
      )
      .addProcessor('owner', () => ({ process: () => undefined }), 'in')
      .addStateStore(inMemoryKeyValueStore('counts', Serdes.string()), 'owner');
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    let thrown: unknown;
    try {
      input.pipeInput('k', 'v');
    } catch (error) {
      thrown = error;
    }
    expect(isKStreamsError(thrown, 'PROCESSING_FAILED')).toBe(true);
    expect(String((thrown as Error).cause)).toMatch(
      /Processor "sneaky" asked for store "counts", which is not connected to it/,
    );
  });

  it('refuses to pipe into a topic the topology does not read', () => {
    const driver = new TopologyTestDriver(countingTopology());
    expect(() => driver.createInputTopic('nope', Serdes.string(), Serdes.string())).toThrow(
      /does not read topic "nope"/,
    );
  });

  describe("with the DSL's cached, logged stores", () => {
    function clickCounts(): Topology {
      const builder = new StreamsBuilder();
      builder
        .stream('clicks', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
        .groupByKey()
        .count({ storeName: 'counts' })
        .toStream()
        .to('click-counts', { valueSerde: Serdes.long() });
      return builder.build();
    }

    it('commits after every piped record by default, so each update comes out, and logs it to the changelog', async () => {
      const driver = new TopologyTestDriver(clickCounts(), { applicationId: 'shop' });
      const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
      clicks.pipeInput('p', '.', 10);
      clicks.pipeInput('p', '.', 20);
      clicks.pipeInput('q', '.', 30);
      expect(driver.createOutputTopic('click-counts', Serdes.string(), Serdes.long()).readKeyValuesToList()).toEqual([
        { key: 'p', value: 1 },
        { key: 'p', value: 2 },
        { key: 'q', value: 1 },
      ]);
      const changelog = driver.createOutputTopic('shop-counts-changelog', Serdes.string(), Serdes.long());
      expect(changelog.readKeyValuesToList()).toEqual([
        { key: 'p', value: 1 },
        { key: 'p', value: 2 },
        { key: 'q', value: 1 },
      ]);
      const headers = driver.recordsOf('shop-counts-changelog')[2]!.headers;
      expect(headers.map((h) => h.key)).toEqual(['kstreams.source']);
      expect(changelogSource(headers)).toEqual({ topic: 'clicks', partition: 0, offset: 2 });
      expect(driver.getKeyValueStore<string, number>('counts').get('p')).toBe(2);
      await driver.close();
    });

    it('without commitEveryRecord, deduplicates updates per key until commit()', async () => {
      const driver = new TopologyTestDriver(clickCounts(), { applicationId: 'shop', commitEveryRecord: false });
      const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
      const output = driver.createOutputTopic('click-counts', Serdes.string(), Serdes.long());
      clicks.pipeInput('p', '.', 10);
      clicks.pipeInput('p', '.', 20);
      clicks.pipeInput('q', '.', 30);
      clicks.pipeInput('p', '.', 40);
      expect(output.isEmpty()).toBe(true);
      // Reads see the cache (read-your-writes) before any commit.
      expect(driver.getKeyValueStore<string, number>('counts').get('p')).toBe(3);
      driver.commit();
      expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['p', 3, 40],
        ['q', 1, 30],
      ]);
      expect(driver.recordsOf('shop-counts-changelog')).toHaveLength(2);
      driver.commit();
      expect(output.isEmpty()).toBe(true);
      await driver.close();
    });

    it('stamps changes made downstream while a cache forwards at commit with the source of the forwarded update', async () => {
      const builder = new StreamsBuilder();
      builder
        .stream('clicks', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
        .groupByKey()
        .count({ storeName: 'counts' })
        .filter((_key, count) => count > 1, {}, { storeName: 'repeat-clickers' });
      const driver = new TopologyTestDriver(builder.build(), { applicationId: 'shop', commitEveryRecord: false });
      const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
      clicks.pipeInput('p', '.', 10);
      clicks.pipeInput('q', '.', 20);
      clicks.pipeInput('p', '.', 30);
      driver.commit();
      const sources = driver
        .recordsOf('shop-repeat-clickers-changelog')
        .map((r) => [r.key?.toString(), changelogSource(r.headers)?.offset]);
      expect(sources).toEqual([['p', 2]]);
      await driver.close();
    });
  });
});

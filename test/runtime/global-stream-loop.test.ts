import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type {
  Admin,
  AssignedConsumer,
  ConsumedRecord,
  KafkaClient,
  Producer,
  ProducerRecord,
  TopicPartition,
  TopicPartitionOffset,
} from '../../src/kafka/types.ts';
import { GlobalStreamLoop } from '../../src/runtime/global-stream-loop.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { resolveStreamsConfig, type StreamsConfig } from '../../src/runtime/streams-config.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';

const str = Serdes.string();

/** An in-memory topic with a movable log start, read by manually assigned consumers. */
class FakeTopic {
  readonly name: string;
  readonly partitions: ConsumedRecord[][];
  readonly logStart: number[];

  constructor(name: string, partitionCount: number) {
    this.name = name;
    this.partitions = Array.from({ length: partitionCount }, () => []);
    this.logStart = Array.from({ length: partitionCount }, () => 0);
  }

  append(partition: number, key: string, value: string | null): void {
    const log = this.partitions[partition]!;
    log.push({
      topic: this.name,
      partition,
      offset: log.length,
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: [],
      timestamp: 1_000 + log.length,
    });
  }

  end(partition: number): number {
    return this.partitions[partition]!.length;
  }

  consumer(): AssignedConsumer {
    let positions: TopicPartitionOffset[] = [];
    return {
      assign: async (assigned) => {
        positions = assigned.map((p) => ({ ...p }));
      },
      seek: () => undefined,
      pause: () => undefined,
      poll: async (options) => {
        const out: ConsumedRecord[] = [];
        positions = positions.map((p) => {
          const from = Math.max(p.offset, this.logStart[p.partition]!);
          const batch = this.partitions[p.partition]!.slice(from, from + (options?.maxRecords ?? 500) - out.length);
          out.push(...batch);
          return { ...p, offset: from + batch.length };
        });
        if (out.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return out;
      },
      endOffsets: async (tps) => tps.map((tp) => ({ ...tp, offset: this.end(tp.partition) })),
      close: async () => undefined,
    };
  }

  admin(): Pick<Admin, 'listOffsets'> {
    return {
      listOffsets: async (tps: readonly TopicPartition[]) =>
        tps.map((tp) => ({ ...tp, offset: this.logStart[tp.partition]! })),
    };
  }
}

describe('GlobalStreamLoop', () => {
  let stateDir: string;
  let topic: FakeTopic;
  const loops: GlobalStreamLoop[] = [];

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-global-loop-'));
    topic = new FakeTopic('customers', 3);
  });

  afterEach(async () => {
    for (const loop of loops.splice(0)) await loop.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function newLoop(overrides: Partial<StreamsConfig> = {}): GlobalStreamLoop {
    const builder = new StreamsBuilder();
    builder.globalTable<string, string>('customers', { keySerde: str, valueSerde: str }, { storeName: 'customers' });
    const client = { assignedConsumer: () => topic.consumer() } as unknown as KafkaClient;
    const loop = new GlobalStreamLoop({
      client,
      topology: builder.build(),
      topics: [{ topic: 'customers', partitions: 3 }],
      config: resolveStreamsConfig(
        { applicationId: 'global-app', stateDir, logger: silentLogger, commitIntervalMs: 10, ...overrides },
        { clientProvided: true },
      ),
      admin: topic.admin(),
      wallClock: Date.now,
      failed: () => undefined,
      bootstrapBatchRecords: 4,
    });
    loops.push(loop);
    return loop;
  }

  const storeOf = (loop: GlobalStreamLoop) => loop.store('customers') as KeyValueStore<string, string>;
  const closeLoop = async (loop: GlobalStreamLoop) => {
    await loop.close();
    loops.splice(loops.indexOf(loop), 1);
  };

  it('bootstraps every partition to its end offset through the table source', async () => {
    for (let i = 0; i < 30; i++) topic.append(i % 3, `c${i}`, `name-${i}`);
    topic.append(1, 'c4', null);
    const loop = newLoop();
    const result = await loop.bootstrap();
    expect(result).toEqual({ remaining: 31, resumedPartitions: 0, wiped: [] });
    const store = storeOf(loop);
    expect([...store.all()].length).toBe(29);
    expect(store.get('c4')).toBeUndefined();
    expect(store.get('c29')).toBe('name-29');
  });

  it('resumes from the offsets stored with the data, reading only the records added since', async () => {
    for (let i = 0; i < 9; i++) topic.append(i % 3, `c${i}`, `name-${i}`);
    const first = newLoop();
    await first.bootstrap();
    await closeLoop(first);

    topic.append(2, 'c100', 'new');
    const second = newLoop();
    const result = await second.bootstrap();
    expect(result).toEqual({ remaining: 1, resumedPartitions: 3, wiped: [] });
    expect(second.counters().recordsProcessed).toBe(1);
    expect(storeOf(second).get('c100')).toBe('new');
    expect(storeOf(second).get('c0')).toBe('name-0');
  });

  it('wipes the store and loads from the log start when a stored offset is outside the topic', async () => {
    for (let i = 0; i < 9; i++) topic.append(i % 3, `c${i}`, `name-${i}`);
    const first = newLoop();
    await first.bootstrap();
    await closeLoop(first);

    // Partition 0 was truncated past what the store holds (retention, or a recreated topic).
    for (let i = 0; i < 3; i++) topic.append(0, `late${i}`, 'x');
    topic.logStart[0] = 5;
    const second = newLoop();
    const result = await second.bootstrap();
    expect(result.wiped).toEqual(['customers']);
    expect(result.resumedPartitions).toBe(0);
    const keys = [...storeOf(second).all()].map((e) => e.key).sort();
    // Partition 0 now starts at offset 5 (late2): c0, c3, c6, late0 and late1 are gone with the truncation.
    expect(keys).toEqual(['c1', 'c2', 'c4', 'c5', 'c7', 'c8', 'late2']);
  });

  it('keeps the store current after bootstrap and commits what it applied at close', async () => {
    topic.append(0, 'c1', 'a');
    const loop = newLoop();
    await loop.bootstrap();
    loop.start();
    topic.append(1, 'c2', 'b');
    topic.append(0, 'c1', 'a2');
    const deadline = Date.now() + 5_000;
    while (storeOf(loop).get('c1') !== 'a2' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(storeOf(loop).get('c1')).toBe('a2');
    expect(storeOf(loop).get('c2')).toBe('b');
    await closeLoop(loop);

    const reopened = newLoop();
    expect(await reopened.bootstrap()).toEqual({ remaining: 0, resumedPartitions: 3, wiped: [] });
    expect(storeOf(reopened).get('c1')).toBe('a2');
  });

  it('follows the deserialization policy: log-and-continue skips a bad record', async () => {
    topic.append(0, 'c1', 'good');
    topic.append(0, 'c2', 'good');
    const loop = newLoopWithStrictSerde({ errorHandling: { deserialization: 'log-and-continue' } });
    topic.partitions[0]![1] = { ...topic.partitions[0]![1]!, value: Buffer.from('bad') };
    await loop.bootstrap();
    expect(storeOf(loop).get('c1')).toBe('good');
    expect(storeOf(loop).get('c2')).toBeUndefined();
    expect(loop.counters().recordsSkipped).toBe(1);
  });

  it('follows the deserialization policy: fail stops the bootstrap with the serde error', async () => {
    topic.append(0, 'c1', 'bad');
    const loop = newLoopWithStrictSerde({});
    const error = await loop.bootstrap().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
  });

  it('sends a bad record to the dead-letter topic before committing the store past it', async () => {
    topic.append(0, 'c1', 'bad');
    topic.append(0, 'c2', 'good');
    const sent: ProducerRecord[] = [];
    const loop = newLoopWithStrictSerde(
      { errorHandling: { deserialization: 'dead-letter', deadLetterTopic: 'customers-dlq' } },
      {
        producer: () =>
          ({
            send: async (records: readonly ProducerRecord[]) => {
              sent.push(...records);
              return [];
            },
            close: async () => undefined,
          }) as unknown as Producer,
      },
    );
    await loop.bootstrap();
    expect(sent.map((r) => [r.topic, r.key?.toString(), r.value?.toString()])).toEqual([
      ['customers-dlq', 'c1', 'bad'],
    ]);
    expect(storeOf(loop).get('c2')).toBe('good');
    expect(loop.counters().recordsDeadLettered).toBe(1);
  });

  it('reports a failure after bootstrap to the application (the global stores stop moving)', async () => {
    topic.append(0, 'c1', 'good');
    const failures: unknown[] = [];
    const loop = newLoopWithStrictSerde({}, {}, (error) => failures.push(error));
    await loop.bootstrap();
    loop.start();
    topic.append(1, 'c2', 'bad');
    const deadline = Date.now() + 5_000;
    while (failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(failures).toHaveLength(1);
    expect(isKStreamsError(failures[0], 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
  });

  function newLoopWithStrictSerde(
    overrides: Partial<StreamsConfig>,
    clientParts: Partial<KafkaClient> = {},
    failed: (error: unknown) => void = () => undefined,
  ): GlobalStreamLoop {
    const strict = {
      serialize: (_topic: string, value: string | null | undefined) => (value == null ? null : Buffer.from(value)),
      deserialize: (_topic: string, data: Buffer | null | undefined) => {
        if (data == null) return null;
        if (data.toString() === 'bad') throw new Error('not a customer');
        return data.toString();
      },
    };
    const builder = new StreamsBuilder();
    builder.globalTable<string, string>('customers', { keySerde: str, valueSerde: strict }, { storeName: 'customers' });
    const client = { assignedConsumer: () => topic.consumer(), ...clientParts } as unknown as KafkaClient;
    const loop = new GlobalStreamLoop({
      client,
      topology: builder.build(),
      topics: [{ topic: 'customers', partitions: 3 }],
      config: resolveStreamsConfig(
        { applicationId: 'global-app', stateDir, logger: silentLogger, ...overrides },
        { clientProvided: true },
      ),
      admin: topic.admin(),
      wallClock: Date.now,
      failed,
    });
    loops.push(loop);
    return loop;
  }
});

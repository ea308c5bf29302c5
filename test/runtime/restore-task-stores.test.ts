import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from '../../src/kafka/types.ts';
import { changelogHeaders, changelogSourceHeaders } from '../../src/runtime/changelog-records.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { type RestoreOptions, restoreTaskStores, restoreTasks } from '../../src/runtime/restore-task-stores.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { CommitOptions } from '../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../src/state/memory/in-memory-bytes-store.ts';
import { type RestoreWrites, restoreWritesOf } from '../../src/state/packed-writes.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { Stores } from '../../src/state/stores.ts';
import { encodeRecordBatch } from '../kafka/support/record-batch-encoder.ts';
import { storeContextFixture } from '../state/support/store-context-fixture.ts';

const changelog: TopicPartition = { topic: 'app-counts-changelog', partition: 0 };
const input: TopicPartition = { topic: 'clicks', partition: 0 };

/** A changelog record made while processing input offset `sourceOffset` (undefined: no source header). */
function change(offset: number, key: string, value: string | null, sourceOffset?: number): ConsumedRecord {
  return {
    ...changelog,
    offset,
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: 1,
    headers: changelogHeaders(sourceOffset === undefined ? undefined : { ...input, offset: sourceOffset }),
  };
}

/** A restore consumer over an in-memory changelog, handing out at most `batch` records per poll. */
function fakeConsumer(records: readonly ConsumedRecord[], batch = 2) {
  let position = 0;
  const polls: number[] = [];
  const consumer: RestoreOptions['consumer'] = {
    assign: async (positions: readonly TopicPartitionOffset[]) => {
      position = positions[0]!.offset;
    },
    endOffsets: async (partitions) => partitions.map((tp) => ({ ...tp, offset: (records.at(-1)?.offset ?? -1) + 1 })),
    poll: async () => {
      const next = records.filter((r) => r.offset >= position).slice(0, batch);
      if (next.length > 0) position = next.at(-1)!.offset + 1;
      polls.push(next.length);
      return next;
    },
  };
  return { consumer, polls };
}

/**
 * The same changelog as `fakeConsumer`, fetched as record batches (one per poll, read in place by
 * restoration); poll is never to be called.
 */
function fakeBatchConsumer(records: readonly ConsumedRecord[], batch = 2) {
  const { consumer, polls } = fakeConsumer(records, batch);
  const batchConsumer: RestoreOptions['consumer'] = {
    ...consumer,
    poll: async () => {
      throw new Error('poll called on a consumer that fetches record batches');
    },
    pollBatches: async () => {
      const next = await consumer.poll();
      if (next.length === 0) return [];
      const base = next[0]!.offset;
      const bytes = encodeRecordBatch({
        baseOffset: base,
        records: next.map((r) => ({
          offsetDelta: r.offset - base,
          key: r.key,
          value: r.value,
          headers: r.headers.map((h) => [h.key, h.value] as const),
        })),
      });
      return [
        {
          ...changelog,
          bytes,
          from: base,
          readCommitted: false,
          abortedTransactions: [],
          decompress: () => {
            throw new Error('not compressed');
          },
        },
      ];
    },
  };
  return { consumer: batchConsumer, polls };
}

function countsStore(bytes = new InMemoryBytesStore('counts')) {
  const fixture = storeContextFixture({ openBytesStore: () => bytes });
  const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.string())
    .withLoggingDisabled()
    .build(fixture.context);
  return { store, bytes };
}

const options = (consumer: RestoreOptions['consumer'], committed: number | undefined, logStart = 0) => ({
  consumer,
  earliestOffsets: async (partitions: readonly TopicPartition[]) =>
    partitions.map((tp) => ({ ...tp, offset: logStart })),
  inputPartitions: [input],
  committed: committed === undefined ? [] : [{ ...input, offset: committed }],
  logger: silentLogger,
  task: '0_0',
});

describe('restoreTaskStores with a consumer that cannot fetch record batches', () => {
  it('reads decoded records when pollBatches answers undefined', async () => {
    const { consumer, polls } = fakeConsumer([change(0, 'a', '1', 0), change(1, 'b', '1', 1)]);
    let batchPolls = 0;
    const { store } = countsStore();
    const withoutBatches: RestoreOptions['consumer'] = {
      ...consumer,
      pollBatches: async () => {
        batchPolls++;
        return undefined;
      },
    };
    const result = await restoreTaskStores([{ store, changelog }], options(withoutBatches, 2));
    expect(result.restored).toBe(2);
    expect([...store.all()].map((e) => e.key)).toEqual(['a', 'b']);
    // Asked once; from then on decoded records only.
    expect(batchPolls).toBe(1);
    expect(polls).toEqual([2]);
  });
});

describe.each([
  ['decoded records', fakeConsumer],
  ['fetched record batches', fakeBatchConsumer],
])('restoreTaskStores, reading %s', (_, fakeConsumer) => {
  it('applies the changelog in batches and skips changes whose input offset is not committed yet', async () => {
    const records = [
      change(0, 'a', '1', 0),
      change(1, 'b', '1', 1),
      change(2, 'a', '2', 2),
      change(3, 'b', null, 3),
      // Input offsets 4 and 5 are not committed: processing them again will make these changes again.
      change(4, 'a', '3', 4),
      change(5, 'c', '1', 5),
    ];
    const { consumer, polls } = fakeConsumer(records);
    const { store, bytes } = countsStore();
    const result = await restoreTaskStores([{ store, changelog }], options(consumer, 4));
    expect(result).toEqual({ restored: 4, skipped: 2, wiped: [] });
    expect([...store.all()]).toEqual([{ key: 'a', value: '2' }]);
    // The offset covers the skipped records too: restoration never reads them again.
    expect(bytes.changelogOffset()).toBe(6);
    expect(polls).toEqual([2, 2, 2]);
  });

  it('keeps changes without a source header or from another input partition', async () => {
    const foreign = {
      ...change(1, 'f', 'x'),
      headers: changelogHeaders({ topic: 'old-input', partition: 0, offset: 9 }),
    };
    const { consumer } = fakeConsumer([change(0, 'p', 'punctuated'), foreign]);
    const { store } = countsStore();
    await restoreTaskStores([{ store, changelog }], options(consumer, undefined));
    expect([...store.all()]).toEqual([
      { key: 'f', value: 'x' },
      { key: 'p', value: 'punctuated' },
    ]);
  });

  it('judges each change by its own input topic when a task reads two topics committed at different offsets', async () => {
    const other: TopicPartition = { topic: 'views', partition: 0 };
    const from = (offset: number, key: string, source: TopicPartition, sourceOffset: number) => ({
      ...change(offset, key, '1'),
      headers: changelogHeaders({ ...source, offset: sourceOffset }),
    });
    // clicks is committed up to 10, views up to 2: views offset 5 is uncommitted, clicks offset 5 is not.
    const records = [
      from(0, 'clicks-1', input, 1),
      from(1, 'views-1', other, 1),
      from(2, 'clicks-5', input, 5),
      from(3, 'views-5', other, 5),
      from(4, 'clicks-10', input, 10),
      from(5, 'gone-5', { topic: 'removed', partition: 0 }, 5),
    ];
    const { consumer } = fakeConsumer(records);
    const { store } = countsStore();
    const result = await restoreTaskStores([{ store, changelog }], {
      ...options(consumer, 10),
      inputPartitions: [input, other],
      committed: [
        { ...input, offset: 10 },
        { ...other, offset: 2 },
      ],
    });
    expect(result).toEqual({ restored: 4, skipped: 2, wiped: [] });
    expect([...store.all()].map((e) => e.key)).toEqual(['clicks-1', 'clicks-5', 'gone-5', 'views-1']);
  });

  it('judges changes by the three decimal source headers earlier versions wrote', async () => {
    const decimal = (offset: number, key: string, sourceOffset: number) => ({
      ...change(offset, key, '1'),
      headers: [
        { key: changelogSourceHeaders.topic, value: Buffer.from(input.topic) },
        { key: changelogSourceHeaders.partition, value: Buffer.from('0') },
        { key: changelogSourceHeaders.offset, value: Buffer.from(String(sourceOffset)) },
      ],
    });
    const { consumer } = fakeConsumer([decimal(0, 'committed', 3), decimal(1, 'uncommitted', 4)]);
    const { store } = countsStore();
    const result = await restoreTaskStores([{ store, changelog }], options(consumer, 4));
    expect(result).toEqual({ restored: 1, skipped: 1, wiped: [] });
    expect([...store.all()].map((e) => e.key)).toEqual(['committed']);
  });

  it('skips every sourced change when the group has committed nothing for the input', async () => {
    const { consumer } = fakeConsumer([change(0, 'a', '1', 0), change(1, 'a', '2', 1)]);
    const { store, bytes } = countsStore();
    const result = await restoreTaskStores([{ store, changelog }], options(consumer, undefined));
    expect(result.skipped).toBe(2);
    expect([...store.all()]).toEqual([]);
    expect(bytes.changelogOffset()).toBe(2);
  });

  it('starts from the stored changelog offset and reads nothing when the store is up to date', async () => {
    const bytes = new InMemoryBytesStore('counts');
    await bytes.commit([{ key: Buffer.from('a'), value: Buffer.from('2') }], 3);
    const records = [change(0, 'a', '1', 0), change(1, 'a', '2', 1), change(2, 'b', '1', 2), change(3, 'c', '1', 3)];
    const { consumer } = fakeConsumer(records);
    const { store } = countsStore(bytes);
    expect(await restoreTaskStores([{ store, changelog }], options(consumer, 10))).toEqual({
      restored: 1,
      skipped: 0,
      wiped: [],
    });
    expect([...store.all()].map((e) => e.key)).toEqual(['a', 'c']);

    const upToDate = fakeConsumer(records);
    expect((await restoreTaskStores([{ store, changelog }], options(upToDate.consumer, 10))).restored).toBe(0);
    expect(upToDate.polls).toEqual([]);
  });

  it('wipes a store whose offset lies outside the changelog and restores it from the start', async () => {
    const bytes = new InMemoryBytesStore('counts');
    // Stored offset 50, but the changelog (recreated) ends at 2.
    await bytes.commit([{ key: Buffer.from('stale'), value: Buffer.from('9') }], 50);
    const { consumer } = fakeConsumer([change(0, 'a', '1', 0), change(1, 'b', '1', 1)]);
    const { store } = countsStore(bytes);
    const result = await restoreTaskStores([{ store, changelog }], options(consumer, 2));
    expect(result.wiped).toEqual(['counts']);
    expect([...store.all()].map((e) => e.key)).toEqual(['a', 'b']);
    expect(bytes.changelogOffset()).toBe(2);
  });

  it('wipes a store whose offset is before the changelog start (truncated) and restores what is left', async () => {
    const bytes = new InMemoryBytesStore('counts');
    await bytes.commit([{ key: Buffer.from('gone'), value: Buffer.from('1') }], 1);
    const { consumer } = fakeConsumer([change(5, 'a', '1', 0), change(6, 'b', '1', 1)]);
    const { store } = countsStore(bytes);
    const result = await restoreTaskStores([{ store, changelog }], options(consumer, 2, 5));
    expect(result.wiped).toEqual(['counts']);
    expect([...store.all()].map((e) => e.key)).toEqual(['a', 'b']);
  });
  describe('writing batches', () => {
    /** A store that records each restore call and lets the test finish it. */
    function recordingStore() {
      const calls: {
        offset: number;
        keys: string[];
        durable: boolean | undefined;
        atomic: boolean | undefined;
        finish: (error?: Error) => void;
      }[] = [];
      const store: StateStore = {
        name: 'counts',
        persistent: true,
        flush: () => undefined,
        close: () => undefined,
        restore: (batch: RestoreWrites, offset: number, options?: CommitOptions) =>
          new Promise<void>((resolve, reject) => {
            calls.push({
              offset,
              keys: restoreWritesOf(batch).map((w) => w.key.toString()),
              durable: options?.durable,
              atomic: options?.atomic,
              finish: (error) => (error === undefined ? resolve() : reject(error)),
            });
          }),
      };
      return { store, calls };
    }

    const settle = () => new Promise((resolve) => setImmediate(resolve));

    /** Restores `records` into a recording store with these options on top of the defaults. */
    function restoreRecorded(records: ConsumedRecord[], extra: Partial<RestoreOptions> = {}) {
      const { consumer, polls } = fakeConsumer(records);
      const { store, calls } = recordingStore();
      const restoring = restoreTaskStores([{ store, changelog }], { ...options(consumer, undefined), ...extra });
      return { restoring, calls, polls };
    }

    it('polls the next batch while the previous one is written, and waits for the disk only on the last', async () => {
      const records = [change(0, 'a', '1'), change(1, 'b', '1'), change(2, 'c', '1'), change(3, 'd', '1')];
      const { restoring, calls, polls } = restoreRecorded(records, { batchRecords: 2, writeBatchesInFlight: 1 });
      await settle();
      // The first batch is being written and the second already polled; it waits for the first to finish.
      expect(polls).toEqual([2, 2]);
      expect(calls.map((c) => c.offset)).toEqual([2]);
      calls[0]!.finish();
      await settle();
      expect(calls.map((c) => [c.keys, c.offset, c.durable])).toEqual([
        [['a', 'b'], 2, false],
        [['c', 'd'], 4, true],
      ]);
      calls[1]!.finish();
      expect((await restoring).restored).toBe(4);
    });

    it('hands a store up to writeBatchesInFlight batches before the oldest is written, in order', async () => {
      const records = [0, 1, 2, 3, 4, 5].map((offset) => change(offset, `k${offset}`, '1'));
      const { restoring, calls } = restoreRecorded(records, { batchRecords: 2, writeBatchesInFlight: 2 });
      await settle();
      // Two batches handed over, neither written; the third waits for the first.
      expect(calls.map((c) => c.offset)).toEqual([2, 4]);
      calls[0]!.finish();
      await settle();
      expect(calls.map((c) => [c.offset, c.durable])).toEqual([
        [2, false],
        [4, false],
        [6, true],
      ]);
      let done = false;
      void restoring.then(() => {
        done = true;
      });
      calls[2]!.finish();
      await settle();
      // Not done while the middle batch is still being written.
      expect(done).toBe(false);
      calls[1]!.finish();
      expect((await restoring).restored).toBe(6);
    });

    it('gathers polls into write batches of batchRecords, and writes the rest at the end', async () => {
      const records = [0, 1, 2, 3, 4].map((offset) => change(offset, `k${offset}`, '1'));
      const { restoring, calls, polls } = restoreRecorded(records, { batchRecords: 4 });
      await settle();
      calls[0]!.finish();
      await settle();
      calls[1]!.finish();
      expect((await restoring).restored).toBe(5);
      expect(polls).toEqual([2, 2, 1]);
      // Restoration writes whole values in order, so a batch need not be one transaction (atomic: false).
      expect(calls.map((c) => [c.keys, c.offset, c.durable, c.atomic])).toEqual([
        [['k0', 'k1', 'k2', 'k3'], 4, false, false],
        [['k4'], 5, true, false],
      ]);
    });

    it('also completes a write batch at batchBytes packed, for large records', async () => {
      const records = [0, 1, 2, 3, 4].map((offset) => change(offset, `k${offset}`, 'x'.repeat(48)));
      // 59 bytes per record packed (2-byte key, 48-byte value, 9 of lengths and format): 100 bytes complete
      // a batch long before 1,000 records.
      const { restoring, calls } = restoreRecorded(records, { batchRecords: 1_000, batchBytes: 100 });
      for (let written = 0; written < 3; written++) {
        await settle();
        calls[written]?.finish();
      }
      expect((await restoring).restored).toBe(5);
      expect(calls.map((c) => [c.keys, c.offset])).toEqual([
        [['k0', 'k1'], 2],
        [['k2', 'k3'], 4],
        [['k4'], 5],
      ]);
    });

    it('fails with the error of a batch that could not be written', async () => {
      const { consumer } = fakeConsumer([change(0, 'a', '1'), change(1, 'b', '1'), change(2, 'c', '1')]);
      const { store, calls } = recordingStore();
      const restoring = restoreTaskStores([{ store, changelog }], options(consumer, undefined));
      await settle();
      calls[0]!.finish(new Error('disk full'));
      await expect(restoring).rejects.toThrow('disk full');
      expect(calls).toHaveLength(1);
    });
  });
});

describe('restoreTasks', () => {
  /** A restore consumer over several changelog partitions; each poll returns up to `batch` records of each. */
  function partitionsConsumer(records: readonly ConsumedRecord[], batch = 2) {
    const positions = new Map<number, number>();
    const assignments: number[][] = [];
    const paused: number[] = [];
    const consumer: RestoreOptions['consumer'] = {
      pause: (partitions) => {
        for (const tp of partitions) {
          paused.push(tp.partition);
          positions.delete(tp.partition);
        }
      },
      assign: async (assigned: readonly TopicPartitionOffset[]) => {
        assignments.push(assigned.map((tp) => tp.partition));
        for (const tp of assigned) positions.set(tp.partition, tp.offset);
      },
      endOffsets: async (partitions) =>
        partitions.map((tp) => ({
          ...tp,
          offset: records
            .filter((r) => r.partition === tp.partition)
            .reduce((end, r) => Math.max(end, r.offset + 1), 0),
        })),
      poll: async () =>
        [...positions].flatMap(([partition, position]) => {
          const next = records.filter((r) => r.partition === partition && r.offset >= position).slice(0, batch);
          if (next.length > 0) positions.set(partition, next.at(-1)!.offset + 1);
          return next;
        }),
    };
    return { consumer, assignments, paused };
  }

  const on = (partition: number, record: ConsumedRecord): ConsumedRecord => ({
    ...record,
    partition,
    headers: changelogHeaders({ ...input, partition, offset: record.offset }),
  });

  function taskOf(partition: number, committed: number) {
    const { store, bytes } = countsStore(new InMemoryBytesStore('counts'));
    return {
      bytes,
      store,
      task: {
        task: `0_${partition}`,
        stores: [{ store, changelog: { ...changelog, partition } }],
        inputPartitions: [{ ...input, partition }],
        committed: [{ ...input, partition, offset: committed }],
      },
    };
  }

  const shared = (consumer: RestoreOptions['consumer']) => ({
    consumer,
    earliestOffsets: async (partitions: readonly TopicPartition[]) => partitions.map((tp) => ({ ...tp, offset: 0 })),
    logger: silentLogger,
  });

  it('restores every task with one assignment, each with its own committed offsets', async () => {
    const records = [
      on(0, change(0, 'a', '1')),
      on(0, change(1, 'a', '2')),
      on(0, change(2, 'a', '3')),
      on(1, change(0, 'b', '1')),
      on(1, change(1, 'b', '2')),
      on(1, change(2, 'b', '3')),
      on(1, change(3, 'b', '4')),
    ];
    const { consumer, assignments, paused } = partitionsConsumer(records);
    const first = taskOf(0, 2);
    const second = taskOf(1, 4);
    const restoredTasks: string[] = [];
    const results = await restoreTasks([first.task, second.task], {
      ...shared(consumer),
      onTaskRestored: (task) => restoredTasks.push(task),
    });
    expect(assignments).toEqual([[0, 1]]);
    expect(results.get('0_0')).toEqual({ restored: 2, skipped: 1, wiped: [] });
    expect(results.get('0_1')).toEqual({ restored: 4, skipped: 0, wiped: [] });
    expect([...first.store.all()]).toEqual([{ key: 'a', value: '2' }]);
    expect([...second.store.all()]).toEqual([{ key: 'b', value: '4' }]);
    expect(first.bytes.changelogOffset()).toBe(3);
    expect(second.bytes.changelogOffset()).toBe(4);
    // The shorter changelog is done after the second poll, before the longer one, and each changelog
    // partition is paused once read to its end.
    expect(restoredTasks).toEqual(['0_0', '0_1']);
    expect(paused).toEqual([0, 1]);
  });

  it('reports each store partition’s progress after every batch and remaining 0 at the end', async () => {
    const records = [0, 1, 2, 3, 4].map((offset) => on(3, change(offset, `k${offset}`, '1')));
    const { consumer } = partitionsConsumer(records);
    const { task } = taskOf(3, 10);
    let now = 1_000;
    const progress: [string, number, number, number, number][] = [];
    await restoreTasks([task], {
      ...shared(consumer),
      batchRecords: 2,
      wallClock: () => {
        now += 250;
        return now;
      },
      metrics: {
        restoreProgress: (store, partition, remaining, restored, seconds) =>
          progress.push([store, partition, remaining, restored, seconds]),
      },
    });
    expect(progress.map(([store, partition, remaining, restored]) => [store, partition, remaining, restored])).toEqual([
      ['counts', 3, 3, 2],
      ['counts', 3, 1, 2],
      ['counts', 3, 0, 1],
      ['counts', 3, 0, 0],
    ]);
    // Each batch's duration is positive, so the rate (restored / seconds) is defined.
    expect(progress.slice(0, 3).every(([, , , , seconds]) => seconds > 0)).toBe(true);
    expect(progress.at(-1)?.[2]).toBe(0);
  });

  it('writes every store that holds records once they hold more than eight batches together, bounding memory', async () => {
    const restoredByWrite = async (partitions: number) => {
      const records = [...Array(partitions).keys()].flatMap((partition) =>
        [0, 1, 2].map((offset) => on(partition, change(offset, `k${partition}-${offset}`, '1'))),
      );
      const { consumer } = partitionsConsumer(records, 1);
      const tasks = [...Array(partitions).keys()].map((partition) => taskOf(partition, 10));
      const writes: number[] = [];
      await restoreTasks(
        tasks.map((t) => t.task),
        {
          ...shared(consumer),
          batchRecords: 2,
          metrics: {
            restoreProgress: (_store, _partition, _remaining, restored) => restored > 0 && writes.push(restored),
          },
        },
      );
      for (const t of tasks) expect([...t.store.all()]).toHaveLength(3);
      return writes;
    };
    // Each poll brings one record per store. 16 stores hold 16 records after the first poll, not more than
    // 8 x 2: each writes once it holds its batch of 2, then its last record.
    expect(await restoredByWrite(16)).toEqual([...Array(16).fill(2), ...Array(16).fill(1)]);
    // 17 stores hold 17 records after each poll, more than 16: every store writes what it holds each time.
    expect(await restoredByWrite(17)).toEqual(Array(17 * 3).fill(1));
  });

  it('reports restored tasks even when one task has nothing to restore', async () => {
    const { consumer, assignments } = partitionsConsumer([on(1, change(0, 'b', '1'))]);
    const empty = taskOf(0, 0);
    const other = taskOf(1, 1);
    const remaining: [number, number][] = [];
    const results = await restoreTasks([empty.task, other.task], {
      ...shared(consumer),
      metrics: { restoreProgress: (_store, partition, left) => remaining.push([partition, left]) },
    });
    expect(results.get('0_0')).toEqual({ restored: 0, skipped: 0, wiped: [] });
    expect(results.get('0_1')).toEqual({ restored: 1, skipped: 0, wiped: [] });
    expect(assignments).toEqual([[1]]);
    // The up-to-date store reports 0 remaining at once, so its gauge exists too.
    expect(remaining).toEqual([
      [0, 0],
      [1, 0],
      [1, 0],
    ]);
  });
});

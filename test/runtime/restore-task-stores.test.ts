import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from '../../src/kafka/types.ts';
import { changelogHeaders } from '../../src/runtime/changelog-records.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { type RestoreOptions, restoreTaskStores } from '../../src/runtime/restore-task-stores.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { BytesWrite, CommitOptions } from '../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../src/state/memory/in-memory-bytes-store.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { Stores } from '../../src/state/stores.ts';
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

describe('restoreTaskStores', () => {
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
      const calls: { offset: number; keys: string[]; durable: boolean | undefined; finish: (error?: Error) => void }[] =
        [];
      const store: StateStore = {
        name: 'counts',
        persistent: true,
        flush: () => undefined,
        close: () => undefined,
        restore: (batch: readonly BytesWrite[], offset: number, options?: CommitOptions) =>
          new Promise<void>((resolve, reject) => {
            calls.push({
              offset,
              keys: batch.map((w) => w.key.toString()),
              durable: options?.durable,
              finish: (error) => (error === undefined ? resolve() : reject(error)),
            });
          }),
      };
      return { store, calls };
    }

    const settle = () => new Promise((resolve) => setImmediate(resolve));

    it('polls the next batch while the previous one is written, and waits for the disk only on the last', async () => {
      const records = [change(0, 'a', '1'), change(1, 'b', '1'), change(2, 'c', '1'), change(3, 'd', '1')];
      const { consumer, polls } = fakeConsumer(records);
      const { store, calls } = recordingStore();
      const restoring = restoreTaskStores([{ store, changelog }], options(consumer, undefined));
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

import type { GroupConsumer, TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import type { StateStore } from '../state/state-store.ts';

/** What the commit protocol needs from a task. */
export interface CommittableTask {
  /** The task's stores in topological order (upstream first), so one flush pass reaches every store. */
  stores(): ReadonlyMap<string, StateStore>;
  /** The changelog partition of a logged store; undefined when the store is not logged. */
  changelogPartition?(storeName: string): TopicPartition | undefined;
  /** Last processed offset + 1 of every partition that made progress since the last commit. */
  offsetsToCommit(): readonly TopicPartitionOffset[];
  /** Called once those offsets are committed. */
  markCommitted(offsets: readonly TopicPartitionOffset[]): void;
}

export interface CommitIo {
  readonly collector: {
    acknowledged(): Promise<void>;
    /** The offset of the last acknowledged changelog record of the partition, if any was sent. */
    lastChangelogOffset?(topic: string, partition: number): number | undefined;
    /** Sends what is buffered and waits until at most `maxRecords` records are unacknowledged. */
    drain?(maxRecords: number): Promise<void>;
  };
  readonly consumer: Pick<GroupConsumer, 'commit'>;
}

/**
 * Changelog and output records the producer may hold unacknowledged while the next store flushes: about
 * 0.4 KB each while queued (the client's copy is made only when its request goes out), so some 16 MB,
 * while stores on different partitions still send side by side.
 */
const maxUnacknowledgedWhileFlushing = 40_000;

/**
 * The at-least-once commit protocol (DESIGN.md), in this order and nowhere else. Output is acknowledged
 * before the input offsets that produced it are committed, and local state is written only after that,
 * so a crash between any two steps at worst processes some input again and never leaves a store ahead of
 * the committed offsets. Returns the offsets committed.
 */
export async function commitTasks(
  tasks: readonly CommittableTask[],
  io: CommitIo,
): Promise<readonly TopicPartitionOffset[]> {
  // 1. Flush stores, upstream first: cached KTable updates go downstream (where they may dirty a store
  //    further down, flushed later in this pass) and their changes to the changelogs through the collector.
  //    Each store's records are sent before the next store flushes, keeping a bounded number unacknowledged.
  for (const task of tasks) {
    for (const store of task.stores().values()) {
      await store.flush();
      await io.collector.drain?.(maxUnacknowledgedWhileFlushing);
    }
  }

  // 2. Await every produce (sinks, dead letters, repartition and changelog records) acknowledged, and learn
  //    the last changelog offset of each logged store: the data flushed in step 1 are covered up to there.
  await io.collector.acknowledged();
  const changelogOffsets = tasks.map((task) => {
    const offsets = new Map<string, number | undefined>();
    for (const name of task.stores().keys()) {
      const tp = task.changelogPartition?.(name);
      offsets.set(name, tp === undefined ? undefined : io.collector.lastChangelogOffset?.(tp.topic, tp.partition));
    }
    return offsets;
  });

  // 3. Commit the consumed offsets (last processed + 1) of every partition that made progress.
  const byTask = tasks.map((task) => ({ task, offsets: task.offsetsToCommit() }));
  const offsets = byTask.flatMap(({ offsets }) => offsets);
  if (offsets.length > 0) await io.consumer.commit(offsets);
  for (const { task, offsets } of byTask) task.markCommitted(offsets);

  // 4. Write the flushed state with the next changelog offset to each store (LMDB: one transaction per
  //    store). Only now: the input that produced this state is committed, so a restart never re-applies it.
  //    Stores persist independently (each writes its data and offset atomically), so their transactions
  //    and disk syncs run side by side; the first failure is rethrown once all have settled.
  const persisting: Promise<void>[] = [];
  for (const [index, task] of tasks.entries()) {
    for (const [name, store] of task.stores()) {
      const last = changelogOffsets[index]!.get(name);
      const persisted = store.persist?.(last === undefined ? undefined : last + 1);
      if (persisted !== undefined) persisting.push(persisted);
    }
  }
  const failed = (await Promise.allSettled(persisting)).find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;

  return offsets;
}

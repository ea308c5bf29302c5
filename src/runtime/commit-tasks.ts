import type { GroupConsumer, TopicPartitionOffset } from '../kafka/types.ts';
import type { StateStore } from '../state/state-store.ts';

/** What the commit protocol needs from a task. */
export interface CommittableTask {
  stores(): ReadonlyMap<string, StateStore>;
  /** Last processed offset + 1 of every partition that made progress since the last commit. */
  offsetsToCommit(): readonly TopicPartitionOffset[];
  /** Called once those offsets are committed. */
  markCommitted(offsets: readonly TopicPartitionOffset[]): void;
}

export interface CommitIo {
  readonly collector: { acknowledged(): Promise<void> };
  readonly consumer: Pick<GroupConsumer, 'commit'>;
}

/**
 * The at-least-once commit protocol (DESIGN.md), in this order and nowhere else. Output is acknowledged
 * before the input offsets that produced it are committed, so a crash between any two steps at worst
 * processes some input again. Returns the offsets committed.
 */
export async function commitTasks(
  tasks: readonly CommittableTask[],
  io: CommitIo,
): Promise<readonly TopicPartitionOffset[]> {
  // 1. Flush stores: pending cached updates go downstream and to their changelogs through the collector.
  for (const task of tasks) for (const store of task.stores().values()) await store.flush();

  // 2. Await every produce (sinks, dead letters, repartition and changelog records) acknowledged.
  await io.collector.acknowledged();

  // 3. Commit the consumed offsets (last processed + 1) of every partition that made progress.
  const byTask = tasks.map((task) => ({ task, offsets: task.offsetsToCommit() }));
  const offsets = byTask.flatMap(({ offsets }) => offsets);
  if (offsets.length > 0) await io.consumer.commit(offsets);
  for (const { task, offsets } of byTask) task.markCommitted(offsets);

  // 4. Write cached state and changelog offsets to LMDB in one transaction: arrives with the state stores.

  return offsets;
}

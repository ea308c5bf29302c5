import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { StateStore } from '../state/state-store.ts';
import type { CommittableTask } from './commit-tasks.ts';
import { PartitionGroup } from './partition-group.ts';
import { PartitionMap } from './partition-map.ts';
import { type StreamTask, taskIdString } from './stream-task.ts';

/** Where processing stopped with an uncaught error, for the log line and the error listeners. */
export interface FailureLocation {
  readonly task: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
}

/**
 * A task the poll loop runs: the shared StreamTask (processing), its PartitionGroup (input order and
 * idling) and the offsets it processed but has not committed yet.
 */
export class ActiveTask implements CommittableTask {
  readonly id: TaskId;
  readonly name: string;
  readonly task: StreamTask;
  readonly group: PartitionGroup;
  /** Changelog partitions of the task's logged stores, by store name. */
  readonly changelogs: ReadonlyMap<string, TopicPartition>;
  /** False until the task's stores are restored from their changelogs: it processes nothing before. */
  restored: boolean;
  // Next offset to commit per partition, updated in place per record (no allocation on the hot path).
  readonly #progress = new PartitionMap<{ topic: string; partition: number; offset: number; dirty: boolean }>();

  constructor(
    task: StreamTask,
    partitions: readonly TopicPartition[],
    maxTaskIdleMs: number,
    changelogs: ReadonlyMap<string, TopicPartition> = new Map(),
  ) {
    this.id = task.id;
    this.name = taskIdString(task.id);
    this.task = task;
    this.group = new PartitionGroup(partitions, maxTaskIdleMs);
    this.changelogs = changelogs;
    this.restored = changelogs.size === 0;
  }

  partitions(): readonly TopicPartition[] {
    return this.group.partitions();
  }

  /**
   * Processes every record the partition group lets through at `now`. On an uncaught error, `onFailure`
   * learns where it happened and the error is rethrown; the failed record's offset is not recorded.
   */
  processReady(now: number, onFailure: (where: FailureLocation) => void): number {
    if (!this.restored) return 0;
    let count = 0;
    for (let record = this.group.next(now); record !== undefined; record = this.group.next(now)) {
      this.#processOne(record, onFailure);
      count++;
    }
    return count;
  }

  punctuateWallClock(now: number, onFailure: (where: FailureLocation) => void): void {
    if (!this.restored) return;
    try {
      this.task.punctuateWallClock(now);
    } catch (error) {
      onFailure({ task: this.name });
      throw error;
    }
  }

  get commitRequested(): boolean {
    return this.task.commitRequested;
  }

  stores(): ReadonlyMap<string, StateStore> {
    return this.task.stores();
  }

  changelogPartition(storeName: string): TopicPartition | undefined {
    return this.changelogs.get(storeName);
  }

  offsetsToCommit(): readonly TopicPartitionOffset[] {
    const offsets: TopicPartitionOffset[] = [];
    for (const p of this.#progress.values()) {
      if (p.dirty) offsets.push({ topic: p.topic, partition: p.partition, offset: p.offset });
    }
    return offsets;
  }

  markCommitted(offsets: readonly TopicPartitionOffset[]): void {
    for (const committed of offsets) {
      const progress = this.#progress.get(committed.topic, committed.partition);
      // Progress made after the offsets were taken stays dirty for the next commit.
      if (progress?.offset === committed.offset) progress.dirty = false;
    }
    this.task.committed();
  }

  /** Drops buffered input and uncommitted progress (the partitions go elsewhere or are re-read). */
  clear(): void {
    this.group.clear();
    this.#progress.clear();
  }

  async close(): Promise<void> {
    this.clear();
    await this.task.close();
  }

  #processOne(record: ConsumedRecord, onFailure: (where: FailureLocation) => void): void {
    try {
      this.task.process(record);
    } catch (error) {
      onFailure({ task: this.name, topic: record.topic, partition: record.partition, offset: record.offset });
      throw error;
    }
    const progress = this.#progress.get(record.topic, record.partition);
    if (progress === undefined) {
      this.#progress.set(record.topic, record.partition, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1,
        dirty: true,
      });
    } else {
      progress.offset = record.offset + 1;
      progress.dirty = true;
    }
  }
}

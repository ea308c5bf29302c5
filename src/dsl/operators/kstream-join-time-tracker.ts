import type { TaskId } from '../../processor/processor-context.ts';

/**
 * The time both sides of one KStream-KStream join share in a task (Kafka Streams' TimeTracker): the largest
 * timestamp either side has seen, which closes windows, and a lower bound of the timestamps waiting in the
 * outer-join store, so the store is scanned only when something in it may have closed. Its own clock, not
 * the task's, as in Kafka Streams: records of other branches of the task do not close this join's windows.
 */
export class JoinTimeTracker {
  streamTime = -1;
  /** Unknown after a restart (the store may hold records): scan at the first chance. */
  minTime = Number.NEGATIVE_INFINITY;

  advance(timestamp: number): void {
    if (timestamp > this.streamTime) this.streamTime = timestamp;
  }

  noteWaiting(timestamp: number): void {
    if (timestamp < this.minTime) this.minTime = timestamp;
  }
}

/** One tracker per task, shared by the join's two processors; dropped when the task closes. */
export class JoinTimeTrackers {
  readonly #byTask = new Map<string, { tracker: JoinTimeTracker; users: number }>();

  acquire(taskId: TaskId): JoinTimeTracker {
    const id = `${taskId.subtopology}_${taskId.partition}`;
    const entry = this.#byTask.get(id) ?? { tracker: new JoinTimeTracker(), users: 0 };
    entry.users++;
    this.#byTask.set(id, entry);
    return entry.tracker;
  }

  release(taskId: TaskId): void {
    const id = `${taskId.subtopology}_${taskId.partition}`;
    const entry = this.#byTask.get(id);
    if (entry === undefined) return;
    entry.users--;
    if (entry.users <= 0) this.#byTask.delete(id);
  }
}

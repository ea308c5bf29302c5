import type { ConsumedRecord, TopicPartition } from '../kafka/types.ts';
import { PartitionMap } from './partition-map.ts';

/** A FIFO of one partition's fetched, unprocessed records; a moving head keeps shift O(1). */
class RecordQueue {
  readonly partition: TopicPartition;
  #records: ConsumedRecord[] = [];
  #head = 0;

  constructor(partition: TopicPartition) {
    this.partition = partition;
  }

  get size(): number {
    return this.#records.length - this.#head;
  }

  peek(): ConsumedRecord | undefined {
    return this.#records[this.#head];
  }

  push(record: ConsumedRecord): void {
    this.#records.push(record);
  }

  shift(): ConsumedRecord | undefined {
    const record = this.#records[this.#head];
    if (record === undefined) return undefined;
    this.#head++;
    if (this.#head === this.#records.length) {
      this.#records = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
    return record;
  }

  clear(): void {
    this.#records = [];
    this.#head = 0;
  }
}

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/**
 * The input side of one task (Kafka Streams' PartitionGroup): a queue per input partition, and the rule for
 * which record goes next. The task takes the head with the lowest timestamp, so records of co-partitioned
 * topics are processed in time order (joins are deterministic). While one of its partitions is empty the
 * task waits up to `maxTaskIdleMs` for data before processing the others (max.task.idle.ms); with 0 it
 * processes what it has. Ordering uses the record timestamps as fetched, before any timestamp extractor.
 */
export class PartitionGroup {
  readonly #queues: RecordQueue[];
  readonly #byPartition = new PartitionMap<RecordQueue>();
  readonly #maxTaskIdleMs: number;
  #buffered = 0;
  /** When the current wait for an empty partition started; undefined while not waiting. */
  #idleSince: number | undefined;

  constructor(partitions: readonly TopicPartition[], maxTaskIdleMs: number) {
    this.#queues = partitions.map((tp) => new RecordQueue({ topic: tp.topic, partition: tp.partition }));
    for (const queue of this.#queues) this.#byPartition.set(queue.partition.topic, queue.partition.partition, queue);
    this.#maxTaskIdleMs = maxTaskIdleMs;
  }

  partitions(): readonly TopicPartition[] {
    return this.#queues.map((q) => q.partition);
  }

  /** Appends a fetched record; returns its partition's queue size, or -1 if it is not one of the group's. */
  add(record: ConsumedRecord): number {
    const queue = this.#byPartition.get(record.topic, record.partition);
    if (queue === undefined) return -1;
    queue.push(record);
    this.#buffered++;
    return queue.size;
  }

  /** Buffered records of one partition (0 for a partition not in the group). */
  size(tp: TopicPartition): number {
    return this.#byPartition.get(tp.topic, tp.partition)?.size ?? 0;
  }

  get buffered(): number {
    return this.#buffered;
  }

  /**
   * The record to process next at time `now`, removed from its queue; undefined when nothing is buffered
   * or the task is waiting for an empty partition.
   */
  next(now: number): ConsumedRecord | undefined {
    if (this.#buffered === 0) return undefined;
    let best: RecordQueue | undefined;
    let bestTimestamp = Number.POSITIVE_INFINITY;
    let anyEmpty = false;
    for (const queue of this.#queues) {
      const head = queue.peek();
      if (head === undefined) {
        anyEmpty = true;
      } else if (head.timestamp < bestTimestamp || best === undefined) {
        best = queue;
        bestTimestamp = head.timestamp;
      }
    }
    if (!anyEmpty) {
      this.#idleSince = undefined;
    } else if (this.#maxTaskIdleMs > 0) {
      this.#idleSince ??= now;
      if (now - this.#idleSince < this.#maxTaskIdleMs) return undefined;
    }
    this.#buffered--;
    return best!.shift();
  }

  /** When the current wait for an empty partition ends; undefined when the task is not waiting. */
  idleDeadline(): number | undefined {
    return this.#idleSince === undefined || this.#buffered === 0 ? undefined : this.#idleSince + this.#maxTaskIdleMs;
  }

  /** Drops every buffered record (the partitions are revoked; the new owner re-fetches them). */
  clear(): void {
    for (const queue of this.#queues) queue.clear();
    this.#buffered = 0;
    this.#idleSince = undefined;
  }
}

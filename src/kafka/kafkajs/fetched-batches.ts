import type { ConsumedRecord, TopicPartition } from '../types.ts';

/**
 * How a kafkajs eachBatch call ends: `consumed` once poll handed out all its records and was called again
 * (the engine processed them), `held` when its partition was paused (the records stay here), `dropped` on
 * seek or close, `failed` when the group is rebalancing.
 */
export type BatchOutcome =
  | { readonly kind: 'consumed' | 'held' | 'dropped' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** Index of the next record poll hands out. */
  next: number;
  /** The poll that handed out the last record, if it has. */
  emptiedInPoll: number | undefined;
  /** Set while the kafkajs eachBatch call that delivered this batch is still waiting. */
  release: ((outcome: BatchOutcome) => void) | undefined;
}

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/**
 * The bounded hand-over between kafkajs's push (eachBatch) and the port's pull (poll): it holds at most the
 * batches of one fetch (plus those of paused partitions), because each eachBatch call waits for its batch
 * to be consumed before kafkajs fetches again.
 */
export class FetchedBatches {
  readonly #batches: FetchedBatch[] = [];
  #wake: (() => void) | undefined;

  /** Adds a batch; resolves when the eachBatch call that delivered it may return. */
  add(
    topic: string,
    partition: number,
    records: readonly ConsumedRecord[],
  ): { batch: FetchedBatch; outcome: Promise<BatchOutcome> } {
    let release: (outcome: BatchOutcome) => void = () => undefined;
    const outcome = new Promise<BatchOutcome>((resolve) => (release = resolve));
    const batch: FetchedBatch = { topic, partition, records, next: 0, emptiedInPoll: undefined, release };
    this.#batches.push(batch);
    this.notify();
    return { batch, outcome };
  }

  /** Takes up to `max` records of unpaused partitions, oldest batch first. */
  take(max: number, isPaused: (key: string) => boolean, pollNumber: number): ConsumedRecord[] {
    const taken: ConsumedRecord[] = [];
    for (const batch of this.#batches) {
      if (taken.length >= max) break;
      if (batch.next >= batch.records.length || isPaused(partitionKey(batch))) continue;
      const end = Math.min(batch.records.length, batch.next + (max - taken.length));
      for (let i = batch.next; i < end; i++) taken.push(batch.records[i]!);
      batch.next = end;
      if (end === batch.records.length) batch.emptiedInPoll = pollNumber;
    }
    return taken;
  }

  /** At the start of a poll: batches emptied by an earlier poll were processed, so kafkajs may go on. */
  completeEmptied(pollNumber: number): void {
    this.#remove((b) => b.emptiedInPoll !== undefined && b.emptiedInPoll < pollNumber, { kind: 'consumed' });
  }

  /** Lets kafkajs go on past paused partitions; their records wait here until resumed. */
  hold(isPaused: (key: string) => boolean): void {
    for (const batch of this.#batches) {
      if (batch.release !== undefined && isPaused(partitionKey(batch))) {
        batch.release({ kind: 'held' });
        batch.release = undefined;
      }
    }
  }

  drop(predicate: (batch: FetchedBatch) => boolean, outcome: BatchOutcome): void {
    this.#remove(predicate, outcome);
    this.notify();
  }

  /** Resolves on the next add or notify, or after `timeoutMs`. */
  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const previous = this.#wake;
      this.#wake = done;
      function done(): void {
        clearTimeout(timer);
        previous?.();
        resolve();
      }
    });
  }

  notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #remove(predicate: (batch: FetchedBatch) => boolean, outcome: BatchOutcome): void {
    for (let i = this.#batches.length - 1; i >= 0; i--) {
      const batch = this.#batches[i]!;
      if (!predicate(batch)) continue;
      this.#batches.splice(i, 1);
      batch.release?.(outcome);
      batch.release = undefined;
    }
  }
}

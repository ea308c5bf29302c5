import { recordBatchOverhead } from '../record-size.ts';

/** Told the fate of each queued record, by the record's index in its send. */
export interface DeliveryReceipt {
  delivered(index: number, partition: number, offset: number): void;
  failed(error: unknown): void;
}

export interface QueuedRecord<M> {
  readonly topic: string;
  readonly partition: number;
  /** Upper bound on the record's bytes inside a record batch (see record-size.ts). */
  readonly bytes: number;
  readonly message: M;
  readonly receipt: DeliveryReceipt;
  readonly index: number;
}

/** Consecutive records of one partition that go out as one record batch. */
export interface PartitionBatch<M> {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly QueuedRecord<M>[];
  /** Upper bound on the batch's bytes, batch header included: what the broker checks against its limit. */
  readonly bytes: number;
}

export interface ProduceLimits {
  /** A partition's records are cut into batches of at most this many bytes; a larger record goes alone. */
  readonly batchBytes: number;
  /** Batches of different partitions share one request up to this many bytes. */
  readonly requestBytes: number;
}

/** Sends one request (at most one batch per partition) and resolves with each batch's base offset by `topic:partition`. */
export type SendBatches<M> = (batches: readonly PartitionBatch<M>[]) => Promise<ReadonlyMap<string, number>>;

class PartitionQueue<M> {
  readonly topic: string;
  readonly partition: number;
  busy = false;
  #records: QueuedRecord<M>[] = [];
  #head = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get empty(): boolean {
    return this.#head === this.#records.length;
  }

  push(record: QueuedRecord<M>): void {
    this.#records.push(record);
  }

  /** The next records in order, up to `limit` bytes per batch; at least one record. */
  take(limit: number): PartitionBatch<M> {
    const records = this.#records;
    const start = this.#head;
    let end = start;
    let bytes = recordBatchOverhead;
    while (end < records.length) {
      const size = records[end]!.bytes;
      if (end > start && bytes + size > limit) break;
      bytes += size;
      end += 1;
    }
    const batch = { topic: this.topic, partition: this.partition, records: records.slice(start, end), bytes };
    if (end === records.length) {
      this.#records = [];
      this.#head = 0;
    } else {
      this.#head = end;
    }
    return batch;
  }
}

/**
 * Cuts each partition's records into record batches that stay under the broker's size limit and sends them
 * in order, with at most one request in flight per partition. One in flight is what keeps a partition's
 * order (and the idempotent producer's sequence numbers) right when a request fails or is retried:
 * @platformatic/kafka numbers each send's records when the send starts and retries a failed request on
 * its own, so a later request already on the wire would land first. The library allows only one
 * request in flight per broker connection for an idempotent producer anyway, so this costs no throughput;
 * records that arrive meanwhile simply form bigger batches.
 */
export class ProduceQueue<M> {
  readonly #send: SendBatches<M>;
  readonly #limits: ProduceLimits;
  readonly #queues = new Map<string, PartitionQueue<M>[]>();
  #queued = 0;
  #idle: PromiseWithResolvers<void> | undefined;

  constructor(send: SendBatches<M>, limits: ProduceLimits) {
    this.#send = send;
    this.#limits = limits;
  }

  /** Queues records (in order per partition) and sends what can go now. */
  enqueue(records: readonly QueuedRecord<M>[]): void {
    for (const record of records) this.#queue(record.topic, record.partition).push(record);
    this.#queued += records.length;
    this.#drain();
  }

  /** Resolves once every queued record was acknowledged or failed. */
  whenIdle(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers<void>();
    return this.#idle.promise;
  }

  #queue(topic: string, partition: number): PartitionQueue<M> {
    let partitions = this.#queues.get(topic);
    if (!partitions) {
      partitions = [];
      this.#queues.set(topic, partitions);
    }
    let queue = partitions[partition];
    if (!queue) {
      queue = new PartitionQueue<M>(topic, partition);
      partitions[partition] = queue;
    }
    return queue;
  }

  /** One batch from every partition not waiting for an acknowledgement, packed into requests. */
  #drain(): void {
    const { batchBytes, requestBytes } = this.#limits;
    let request: PartitionBatch<M>[] = [];
    let bytes = 0;
    for (const partitions of this.#queues.values()) {
      for (const queue of partitions) {
        if (!queue || queue.busy || queue.empty) continue;
        const batch = queue.take(batchBytes);
        queue.busy = true;
        // A record above the batch size goes alone: if the broker refuses it, nothing else fails with it.
        if (batch.bytes > batchBytes) {
          void this.#dispatch([batch]);
          continue;
        }
        if (request.length > 0 && bytes + batch.bytes > requestBytes) {
          void this.#dispatch(request);
          request = [];
          bytes = 0;
        }
        request.push(batch);
        bytes += batch.bytes;
      }
    }
    if (request.length > 0) void this.#dispatch(request);
  }

  async #dispatch(batches: readonly PartitionBatch<M>[]): Promise<void> {
    try {
      const baseOffsets = await this.#send(batches);
      for (const batch of batches) {
        const base = baseOffsets.get(`${batch.topic}:${batch.partition}`);
        batch.records.forEach((record, position) => {
          record.receipt.delivered(
            record.index,
            batch.partition,
            base === undefined || base < 0 ? -1 : base + position,
          );
        });
      }
    } catch (error) {
      for (const batch of batches) for (const record of batch.records) record.receipt.failed(error);
    } finally {
      for (const batch of batches) {
        this.#queue(batch.topic, batch.partition).busy = false;
        this.#queued -= batch.records.length;
      }
      this.#drain();
      if (this.#queued === 0 && this.#idle) {
        this.#idle.resolve();
        this.#idle = undefined;
      }
    }
  }
}

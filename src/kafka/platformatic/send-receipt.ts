import type { ProducerRecord, RecordMetadata } from '../types.ts';
import type { DeliveryReceipt } from './produce-queue.ts';

/**
 * The promise of one send(): resolves with every record's metadata once all of them are acknowledged
 * (their batches may go out in several requests), and rejects with the first failure.
 */
export class SendReceipt implements DeliveryReceipt {
  readonly records: readonly ProducerRecord[];
  readonly promise: Promise<readonly RecordMetadata[]>;
  readonly #resolve: (metadata: readonly RecordMetadata[]) => void;
  readonly #reject: (error: unknown) => void;
  readonly #metadata: RecordMetadata[];
  #remaining: number;
  #settled = false;

  constructor(records: readonly ProducerRecord[]) {
    this.records = records;
    const { promise, resolve, reject } = Promise.withResolvers<readonly RecordMetadata[]>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#metadata = new Array<RecordMetadata>(records.length);
    this.#remaining = records.length;
    if (records.length === 0) this.#settle(() => resolve([]));
  }

  delivered(index: number, partition: number, offset: number): void {
    this.#metadata[index] = { topic: this.records[index]!.topic, partition, offset };
    this.#remaining -= 1;
    if (this.#remaining === 0) this.#settle(() => this.#resolve(this.#metadata));
  }

  failed(error: unknown): void {
    this.#settle(() => this.#reject(error));
  }

  #settle(settle: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    settle();
  }
}

import { KStreamsError, reasonOf } from '../errors.ts';
import type { Producer, ProducerRecord, RecordMetadata, TopicPartition } from '../kafka/types.ts';
import type { ProductionErrorPolicy } from './error-policies.ts';
import type { Logger } from './logger.ts';
import type { OutgoingRecord, RecordCollector } from './record-collector.ts';

export interface KafkaRecordCollectorOptions {
  readonly producer: Producer;
  /** Maps a topic name of the topology to its name on the cluster (internal topics get a prefix). */
  readonly realName: (topic: string) => string;
  readonly partitionCount: (realTopic: string) => number | undefined;
  /** `log-and-continue` drops records the broker refused, with a log line, instead of failing. */
  readonly productionPolicy?: ProductionErrorPolicy;
  readonly logger?: Logger;
  /** Sends awaiting acknowledgement before `throttle` makes the loop wait; bounds memory. Default 16. */
  readonly maxInFlightSends?: number;
  /** A flush hands the producer at most this many records per send, so `drain` can wait for part of them. Default 5000. */
  readonly maxRecordsPerSend?: number;
}

/**
 * The runtime's RecordCollector: sinks append here while a batch is processed; `flush` hands the batch to
 * the producer in one send without awaiting it; `acknowledged` (commit step 2) awaits every send. A failed
 * send is kept and rethrown by `acknowledged` and `checkFailure`, so the commit that would cover its
 * input never happens and the input is processed again after a restart: nothing is lost.
 */
export class KafkaRecordCollector implements RecordCollector {
  readonly #options: KafkaRecordCollectorOptions;
  #buffer: ProducerRecord[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #inFlightRecords = 0;
  #failure: KStreamsError | undefined;
  #sent = 0;
  #dropped = 0;
  // Changelog records in the buffer: only batches holding some have their metadata read.
  #changelogBuffered = 0;
  readonly #changelogTopics = new Set<string>();
  // Last acknowledged offset per changelog topic-partition (topic, NUL, partition).
  readonly #changelogOffsets = new Map<string, number>();

  constructor(options: KafkaRecordCollectorOptions) {
    this.#options = options;
  }

  /** Records handed to the producer so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Records dropped after the broker refused them (only under the log-and-continue production policy). */
  get dropped(): number {
    return this.#dropped;
  }

  send(record: OutgoingRecord): void {
    checkBytes(record.topic, 'key', record.key);
    checkBytes(record.topic, 'value', record.value);
    const topic = this.#options.realName(record.topic);
    // An outgoing record already has a producer record's shape: copy it only to rename an internal topic.
    this.#buffer.push(topic === record.topic ? record : { ...record, topic });
  }

  /**
   * Sends a store's change to its changelog partition (topic name as on the cluster). Its acknowledged
   * offset is kept for `lastChangelogOffset`, which commit step 4 stores with the data.
   */
  sendChangelog(record: ProducerRecord & { readonly partition: number }): void {
    this.#changelogTopics.add(record.topic);
    this.#changelogBuffered++;
    this.#buffer.push(record);
  }

  /** The offset of the last acknowledged record sent with `sendChangelog` to this partition, if any. */
  lastChangelogOffset(topic: string, partition: number): number | undefined {
    return this.#changelogOffsets.get(`${topic}\u0000${partition}`);
  }

  /** Forgets the offsets of these changelog partitions (a task that comes back restores its own). */
  forgetChangelogOffsets(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#changelogOffsets.delete(`${tp.topic}\u0000${tp.partition}`);
  }

  partitionCount(topic: string): number | undefined {
    return this.#options.partitionCount(this.#options.realName(topic));
  }

  /**
   * Sends what the last batch produced (in one producer call, or a few for a store flush's many changelog
   * records); the acknowledgement is awaited at commit.
   */
  flush(): void {
    if (this.#buffer.length === 0) return;
    const buffered = this.#buffer;
    const hasChangelog = this.#changelogBuffered > 0;
    this.#buffer = [];
    this.#changelogBuffered = 0;
    const perSend = this.#options.maxRecordsPerSend ?? 5000;
    if (buffered.length <= perSend) {
      this.#send(buffered, hasChangelog);
      return;
    }
    for (let start = 0; start < buffered.length; start += perSend) {
      this.#send(buffered.slice(start, start + perSend), hasChangelog);
    }
  }

  /**
   * Sends what is buffered, then waits until at most `maxRecords` records are unacknowledged. Commit step 1
   * calls it after each store's flush: a producer without a memory bound (Java's buffer.memory) would
   * otherwise hold every store's changelog records of one commit at once.
   */
  async drain(maxRecords: number): Promise<void> {
    this.flush();
    while (this.#inFlightRecords > maxRecords && this.#inFlight.size > 0) await Promise.race(this.#inFlight);
  }

  #send(batch: ProducerRecord[], hasChangelog: boolean): void {
    this.#sent += batch.length;
    const sending: Promise<void> = this.#options.producer.send(batch).then(
      (metadata) => {
        if (hasChangelog) this.#noteChangelogOffsets(metadata);
      },
      (error: unknown) => {
        const topics = [...new Set(batch.map((r) => r.topic))].join(', ');
        if (this.#options.productionPolicy === 'log-and-continue') {
          this.#dropped += batch.length;
          this.#options.logger?.warn('Dropped records the broker refused, as the production policy says.', {
            records: batch.length,
            topics,
            error: reasonOf(error),
          });
          return;
        }
        this.#failure ??= new KStreamsError(
          'KAFKA_PRODUCE_FAILED',
          `Sending ${batch.length} record(s) to ${topics} failed: ${reasonOf(error)}`,
          {
            hint: 'Check the broker and the output topics; the input of these records was not committed and is processed again after a restart.',
            cause: error,
          },
        );
      },
    );
    this.#inFlight.add(sending);
    this.#inFlightRecords += batch.length;
    void sending.finally(() => {
      this.#inFlight.delete(sending);
      this.#inFlightRecords -= batch.length;
    });
  }

  /**
   * Waits while too many sends are unacknowledged. Without it, output would pile up in memory until the
   * next commit when the broker is slower than processing (commits may be 30 s apart).
   */
  async throttle(): Promise<void> {
    const limit = this.#options.maxInFlightSends ?? 16;
    while (this.#inFlight.size >= limit) await Promise.race(this.#inFlight);
  }

  /** Throws the first send failure, if any. */
  checkFailure(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Sends what is buffered, then resolves once every send is acknowledged; throws if one failed. */
  async acknowledged(): Promise<void> {
    this.flush();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    this.checkFailure();
  }

  /** Forgets unsent records (a failed batch, whose input will be processed again). */
  discard(): void {
    this.#buffer = [];
    this.#changelogBuffered = 0;
  }

  #noteChangelogOffsets(metadata: readonly RecordMetadata[]): void {
    for (const record of metadata) {
      if (!this.#changelogTopics.has(record.topic) || record.offset < 0) continue;
      const key = `${record.topic}\u0000${record.partition}`;
      // Sends to one partition are acknowledged in order, but a retried batch must never move it back.
      if ((this.#changelogOffsets.get(key) ?? -1) < record.offset) this.#changelogOffsets.set(key, record.offset);
    }
  }

  /** Waits for in-flight sends without failing (used when closing after an error). */
  async settle(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }
}

/**
 * The default serde is bytes, which passes values through: a string or object reaching a sink without a
 * serde would only fail later, in the producer, far from its cause. Fail here, in the sink, instead.
 */
function checkBytes(topic: string, part: 'key' | 'value', data: unknown): void {
  if (data === null || Buffer.isBuffer(data)) return;
  throw new KStreamsError(
    'SERDE_SERIALIZATION_FAILED',
    `The ${part} of a record for topic "${topic}" is a ${typeof data}, not bytes: no ${part} serde turned it into a Buffer.`,
    {
      hint: `Give the sink a ${part} serde (Produced.with / Grouped.with), or set defaultKeySerde/defaultValueSerde in the config.`,
    },
  );
}

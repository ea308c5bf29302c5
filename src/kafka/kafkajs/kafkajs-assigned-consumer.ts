import { randomUUID } from 'node:crypto';
import type { Cluster, IHeaders, Kafka, Consumer as KafkaJsConsumer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import { inflateRecordBatches, nextOffsetAfter } from '../record-batches.ts';
import type {
  AssignedConsumer,
  AssignedConsumerOptions,
  ConnectionOptions,
  ConsumedRecord,
  FetchedRecordBatches,
  PollOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { type AbortedTransaction, committedRecords, type FetchedMessage } from './aborted-transactions.ts';
import { partitionKey } from './fetched-batches.ts';
import { type ErrorContext, mapErrors } from './kafkajs-errors.ts';
import { kafkaJsDefaults } from './kafkajs-options.ts';
import { kafkaJsDecompress, type RawFetchTopic, rawFetch, rawFetchSupported } from './raw-fetch.ts';
import { toConsumedRecord } from './record-conversion.ts';

const defaultMaxRecords = 500;
const defaultPollTimeoutMs = 1_000;

interface FetchedPartition {
  readonly partition: number;
  readonly abortedTransactions?: readonly AbortedTransaction[];
  readonly messages: readonly (FetchedMessage & { value: Buffer | null; timestamp: string; headers?: IHeaders })[];
}
interface FetchResponse {
  readonly responses: readonly { readonly topicName: string; readonly partitions: readonly FetchedPartition[] }[];
}

/**
 * A consumer without a group, for restoration. kafkajs can only consume through a group, so this reads with
 * Fetch requests on a kafkajs cluster directly: the cluster of a kafkajs consumer that is never run (kafkajs
 * hands it to partition assigners at creation), which carries this client's connection, retry and isolation
 * settings. Nothing joins a group and nothing is committed. Positions live here; a Fetch goes to each
 * partition leader, and poll returns at most maxRecords records, keeping the rest for the next poll. Once
 * fewer than maxRecords stay buffered, the next Fetch starts in the background (one in flight at most), so
 * the broker reads while the caller works: restoration would otherwise wait for every Fetch.
 */
export class KafkaJsAssignedConsumer implements AssignedConsumer {
  readonly #connection: ConnectionOptions;
  readonly #options: AssignedConsumerOptions;
  readonly #consumer: KafkaJsConsumer;
  readonly #cluster: Cluster;
  readonly #isolationLevel: number;
  /** Next offset to fetch per partition (after the records already buffered). */
  readonly #positions = new Map<string, TopicPartitionOffset>();
  /** Paused partitions, with the next offset to return once resumed by a seek. */
  readonly #paused = new Map<string, TopicPartitionOffset>();
  readonly #buffered = new Map<string, ConsumedRecord[]>();
  /** Fetched undecoded (pollBatches): each partition's record batches not yet handed out. */
  readonly #bufferedBatches = new Map<string, FetchedRecordBatches>();
  /** Whether fetches leave record batches undecoded (pollBatches) or decode them (poll). */
  #undecoded = false;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #inFlight: Promise<void> | undefined;
  #fetchError: unknown;
  /** Bumped by assign and seek: a Fetch answered after either is dropped. */
  #epoch = 0;

  constructor(kafka: Kafka, connection: ConnectionOptions, options: AssignedConsumerOptions) {
    this.#connection = connection;
    this.#options = options;
    const readUncommitted = options.isolationLevel === 'read_uncommitted';
    this.#isolationLevel = readUncommitted ? 0 : 1;
    let cluster: Cluster | undefined;
    this.#consumer = kafka.consumer({
      groupId: `kstreams-assigned-${randomUUID()}`,
      allowAutoTopicCreation: false,
      readUncommitted,
      partitionAssigners: [
        (config) => {
          cluster = config.cluster;
          return kafkajs.PartitionAssigners.roundRobin(config);
        },
      ],
    });
    if (cluster === undefined) throw new Error('kafkajs did not create the consumer cluster');
    this.#cluster = cluster;
  }

  async assign(positions: readonly TopicPartitionOffset[]): Promise<void> {
    await this.#connect();
    const topics = [...new Set(positions.map((p) => p.topic))];
    await mapErrors(this.#context('assign partitions', topics), () => this.#cluster.addMultipleTargetTopics(topics));
    this.#positions.clear();
    this.#paused.clear();
    this.#buffered.clear();
    this.#bufferedBatches.clear();
    this.#epoch++;
    for (const position of positions) this.seek(position);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const key = partitionKey(tp);
      const position = this.#positions.get(key);
      if (position === undefined) continue;
      // Whatever was buffered is read again after a seek: the paused position is the next offset to return.
      const next = this.#firstBuffered(key) ?? position.offset;
      this.#paused.set(key, { ...position, offset: next });
      this.#positions.delete(key);
      this.#buffered.delete(key);
      this.#bufferedBatches.delete(key);
    }
    // No epoch bump: a Fetch in flight still serves the other partitions, and #absorb skips partitions
    // without a position; a seek that resumes one bumps it.
  }

  seek(position: TopicPartitionOffset): void {
    const { topic, partition, offset } = position;
    this.#paused.delete(partitionKey(position));
    this.#positions.set(partitionKey(position), { topic, partition, offset });
    this.#buffered.delete(partitionKey(position));
    this.#bufferedBatches.delete(partitionKey(position));
    this.#epoch++;
  }

  /** The offset of the first record buffered for a partition, if any. */
  #firstBuffered(key: string): number | undefined {
    return this.#bufferedBatches.get(key)?.from ?? this.#buffered.get(key)?.[0]?.offset;
  }

  // Switching between decoded and undecoded fetches drops what is buffered in the other form, and the
  // answer of a Fetch in flight: each partition is fetched again from what was handed out.
  #setUndecoded(undecoded: boolean): void {
    if (this.#undecoded === undecoded) return;
    this.#undecoded = undecoded;
    for (const [key, position] of this.#positions) {
      const next = this.#firstBuffered(key);
      if (next !== undefined) this.#positions.set(key, { ...position, offset: next });
    }
    this.#buffered.clear();
    this.#bufferedBatches.clear();
    this.#epoch++;
  }

  async pollBatches(options?: PollOptions): Promise<readonly FetchedRecordBatches[] | undefined> {
    if (this.#closed) throw closedError();
    await this.#connect();
    if (!rawFetchSupported(this.#cluster)) return undefined;
    this.#setUndecoded(true);
    const timeoutMs = options?.timeoutMs ?? defaultPollTimeoutMs;
    this.#throwFetchError();
    const deadline = Date.now() + timeoutMs;
    // Twice at most: the Fetch in flight may be a prefetch made stale by a seek, then a fresh one goes out.
    for (let attempt = 0; attempt < 2 && this.#bufferedBatches.size === 0 && this.#positions.size > 0; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      this.#startFetch(Math.min(remaining, this.#options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs));
      await withinMs(this.#inFlight, remaining);
      this.#throwFetchError();
    }
    const batches = [...this.#bufferedBatches.values()];
    this.#bufferedBatches.clear();
    // The next Fetch is read while the caller works through these.
    if (batches.length > 0) this.#startFetch(this.#options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs);
    return batches;
  }

  async poll(options?: PollOptions): Promise<readonly ConsumedRecord[]> {
    if (this.#closed) throw closedError();
    this.#setUndecoded(false);
    const maxRecords = options?.maxRecords ?? defaultMaxRecords;
    const timeoutMs = options?.timeoutMs ?? defaultPollTimeoutMs;
    this.#throwFetchError();
    const deadline = Date.now() + timeoutMs;
    // Twice at most: the Fetch in flight may be a prefetch made stale by a seek, then a fresh one goes out.
    for (let attempt = 0; attempt < 2 && !this.#hasBuffered() && this.#positions.size > 0; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await this.#connect();
      this.#startFetch(Math.min(remaining, this.#options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs));
      // A prefetch may wait on the broker longer than this poll may.
      await withinMs(this.#inFlight, remaining);
      this.#throwFetchError();
    }
    const records = this.#takeBuffered(maxRecords);
    if (records.length > 0 && this.#bufferedCount() < maxRecords) {
      this.#startFetch(this.#options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs);
    }
    return records;
  }

  #startFetch(maxWaitMs: number): void {
    if (this.#inFlight !== undefined || this.#closed || this.#positions.size === 0) return;
    const flight = this.#fetch(maxWaitMs, this.#epoch).catch((error: unknown) => {
      // A failure after close is the close's doing, not the caller's.
      if (!this.#closed) this.#fetchError = error;
    });
    this.#inFlight = flight;
    void flight.finally(() => {
      if (this.#inFlight === flight) this.#inFlight = undefined;
    });
  }

  #throwFetchError(): void {
    if (this.#fetchError === undefined) return;
    const error = this.#fetchError;
    this.#fetchError = undefined;
    throw error;
  }

  async endOffsets(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]> {
    await this.#connect();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    return mapErrors(this.#context('read end offsets', topics), async () => {
      await this.#cluster.addMultipleTargetTopics(topics);
      // The cluster lists offsets with its isolation level: the last stable offset under read_committed.
      const offsets = await this.#cluster.fetchTopicsOffset(
        topics.map((topic) => ({
          topic,
          fromBeginning: false,
          partitions: partitions.filter((p) => p.topic === topic).map(({ partition }) => ({ partition })),
        })),
      );
      const byKey = new Map<string, number>();
      for (const { topic, partitions: list } of offsets) {
        for (const { partition, offset } of list) byKey.set(partitionKey({ topic, partition }), Number(offset));
      }
      return partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: byKey.get(partitionKey({ topic, partition })) ?? 0,
      }));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffered.clear();
    this.#bufferedBatches.clear();
    await this.#inFlight;
    await this.#cluster.disconnect().catch(() => undefined);
    await this.#consumer.disconnect().catch(() => undefined);
  }

  async #fetch(maxWaitMs: number, epoch: number): Promise<void> {
    const positions = [...this.#positions.values()];
    const topics = [...new Set(positions.map((p) => p.topic))];
    const requestsByLeader = new Map<
      string,
      Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>
    >();
    const maxBytes = this.#options.maxBytes ?? kafkaJsDefaults.maxBytes;
    const undecoded = this.#undecoded;
    await mapErrors(this.#context('fetch', topics), async () => {
      await this.#cluster.refreshMetadataIfNecessary();
      for (const topic of topics) {
        const partitions = positions.filter((p) => p.topic === topic).map((p) => p.partition);
        for (const [leader, led] of Object.entries(this.#cluster.findLeaderForPartitions(topic, partitions))) {
          // Read after the metadata refresh: a partition paused meanwhile (restoration pauses one as soon as
          // the poll that started this read returns its last record) has no position any more.
          const requests = led.flatMap((partition) => {
            const position = this.#positions.get(partitionKey({ topic, partition }));
            if (position === undefined) return [];
            return [
              {
                partition,
                fetchOffset: String(position.offset),
                maxBytes: Math.min(maxBytes, kafkaJsDefaults.assignedMaxBytesPerPartition),
              },
            ];
          });
          if (requests.length === 0) continue;
          const byTopic = requestsByLeader.get(leader) ?? new Map();
          requestsByLeader.set(leader, byTopic);
          byTopic.set(topic, requests);
        }
      }
      await Promise.all(
        [...requestsByLeader].map(async ([leader, byTopic]) => {
          const topicsRequest = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
          try {
            if (undecoded) {
              const response = await rawFetch(this.#cluster, leader, {
                isolationLevel: this.#isolationLevel,
                maxWaitTime: maxWaitMs,
                maxBytes,
                topics: topicsRequest,
              });
              await this.#absorbBatches(response, epoch);
              return;
            }
            const broker = await this.#cluster.findBroker({ nodeId: leader });
            const response = (await broker.fetch({
              isolationLevel: this.#isolationLevel,
              maxWaitTime: maxWaitMs,
              minBytes: 1,
              maxBytes,
              topics: topicsRequest,
            })) as FetchResponse;
            // A seek or reassignment since the request makes this answer stale.
            if (epoch === this.#epoch) this.#absorb(response);
          } catch (error) {
            if (epoch !== this.#epoch) return;
            await this.#recover(error);
          }
        }),
      );
    });
  }

  #absorb(response: FetchResponse): void {
    for (const { topicName: topic, partitions } of response.responses) {
      for (const { partition, messages, abortedTransactions } of partitions) {
        const key = partitionKey({ topic, partition });
        const position = this.#positions.get(key);
        if (position === undefined || messages.length === 0) continue;
        // A fetch may start before the requested offset (whole record batches) or contain only control records.
        const from = position.offset;
        const inRange = messages.filter((m) => Number(m.offset) >= from);
        if (inRange.length === 0) {
          // Compaction left only records before `from` in a batch that reaches past it: skip the batch.
          const batchEnd = Math.max(...messages.map(batchLastOffset));
          if (batchEnd >= from) this.#positions.set(key, { topic, partition, offset: batchEnd + 1 });
          continue;
        }
        const visible =
          this.#isolationLevel === 1
            ? committedRecords(inRange, abortedTransactions)
            : inRange.filter((m) => m.isControlRecord !== true);
        const records = visible.map((m) => toConsumedRecord(topic, partition, m));
        const buffered = this.#buffered.get(key);
        if (buffered === undefined) this.#buffered.set(key, records);
        else buffered.push(...records);
        this.#positions.set(key, { topic, partition, offset: Number(inRange.at(-1)!.offset) + 1 });
      }
    }
  }

  /**
   * Keeps each partition's record batches, inflated when compressed (kafkajs's codecs are asynchronous),
   * and moves its position past them, unless a seek or reassignment came meanwhile.
   */
  async #absorbBatches(response: readonly RawFetchTopic[], epoch: number): Promise<void> {
    const readCommitted = this.#isolationLevel === 1;
    for (const { topic, partitions } of response) {
      for (const { partition, errorCode, records, abortedTransactions } of partitions) {
        if (epoch !== this.#epoch) return;
        const key = partitionKey({ topic, partition });
        const position = this.#positions.get(key);
        if (position === undefined) continue;
        if (errorCode === offsetOutOfRange) {
          await this.#resetToEarliest(topic, partition);
          continue;
        }
        if (errorCode !== 0) {
          // A leader moved or the topic changed: fetched again after a metadata refresh.
          await this.#cluster.refreshMetadata().catch(() => undefined);
          continue;
        }
        if (records.length === 0) continue;
        const from = position.offset;
        const bytes = await inflateRecordBatches(records, kafkaJsDecompress);
        const next = nextOffsetAfter(bytes, from);
        if (epoch !== this.#epoch || this.#positions.get(key) !== position || next === from) continue;
        this.#bufferedBatches.set(key, {
          topic,
          partition,
          bytes,
          from,
          readCommitted,
          abortedTransactions,
          decompress: alreadyInflated,
        });
        this.#positions.set(key, { topic, partition, offset: next });
      }
    }
  }

  async #resetToEarliest(topic: string, partition: number): Promise<void> {
    const [earliest] = await this.#cluster.fetchTopicsOffset([
      { topic, fromBeginning: true, partitions: [{ partition }] },
    ]);
    const offset = Number(earliest?.partitions[0]?.offset ?? 0);
    this.seek({ topic, partition, offset });
  }

  /** Offset out of range (the log was truncated or compacted away): start again at the earliest offset. */
  async #recover(error: unknown): Promise<void> {
    const e = error as { name?: string; topic?: string; partition?: number };
    if (e.name === 'KafkaJSOffsetOutOfRange' && e.topic !== undefined && e.partition !== undefined) {
      await this.#resetToEarliest(e.topic, e.partition);
      return;
    }
    const retriable = (error as { retriable?: boolean }).retriable === true;
    if (!retriable) throw error;
    await this.#cluster.refreshMetadata().catch(() => undefined);
  }

  #bufferedCount(): number {
    let count = 0;
    for (const records of this.#buffered.values()) count += records.length;
    return count;
  }

  #hasBuffered(): boolean {
    for (const records of this.#buffered.values()) if (records.length > 0) return true;
    return false;
  }

  #takeBuffered(max: number): ConsumedRecord[] {
    const taken: ConsumedRecord[] = [];
    for (const [key, records] of this.#buffered) {
      if (taken.length >= max) break;
      const count = Math.min(records.length, max - taken.length);
      taken.push(...records.splice(0, count));
      if (records.length === 0) this.#buffered.delete(key);
    }
    return taken;
  }

  #connect(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#connecting ??= mapErrors(this.#context('connect'), () => this.#cluster.connect());
    this.#connecting.catch(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  #context(operation: string, topics?: readonly string[]): ErrorContext {
    return {
      connection: this.#connection,
      operation,
      fallback: 'KAFKA_CONSUME_FAILED',
      ...(topics === undefined ? {} : { topics }),
    };
  }
}

function batchLastOffset(message: FetchedMessage): number {
  const context = message.batchContext as { firstOffset?: string; lastOffsetDelta?: number } | undefined;
  if (context?.firstOffset === undefined || context.lastOffsetDelta === undefined) return Number(message.offset);
  return Number(context.firstOffset) + context.lastOffsetDelta;
}

const offsetOutOfRange = 1;

// Batches are inflated as they are fetched (see #absorbBatches): a cursor never meets a compressed one.
const alreadyInflated = (): never => {
  throw new Error('unreachable: fetched record batches are inflated when they arrive');
};

function closedError(): KStreamsError {
  return new KStreamsError('KAFKA_CLIENT_CLOSED', 'The consumer is closed.', { hint: 'Create a new consumer.' });
}

async function withinMs(promise: Promise<void> | undefined, ms: number): Promise<void> {
  if (promise === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

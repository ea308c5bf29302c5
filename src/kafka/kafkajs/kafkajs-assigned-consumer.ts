import { randomUUID } from 'node:crypto';
import type { Cluster, IHeaders, Kafka, Consumer as KafkaJsConsumer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import type {
  AssignedConsumer,
  AssignedConsumerOptions,
  ConnectionOptions,
  ConsumedRecord,
  PollOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { type AbortedTransaction, committedRecords, type FetchedMessage } from './aborted-transactions.ts';
import { partitionKey } from './fetched-batches.ts';
import { type ErrorContext, mapErrors } from './kafkajs-errors.ts';
import { kafkaJsDefaults } from './kafkajs-options.ts';
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
 * settings. Nothing joins a group and nothing is committed. Positions live here; each poll sends one Fetch
 * per partition leader and returns at most maxRecords records, keeping the rest for the next poll.
 */
export class KafkaJsAssignedConsumer implements AssignedConsumer {
  readonly #connection: ConnectionOptions;
  readonly #options: AssignedConsumerOptions;
  readonly #consumer: KafkaJsConsumer;
  readonly #cluster: Cluster;
  readonly #isolationLevel: number;
  /** Next offset to fetch per partition (after the records already buffered). */
  readonly #positions = new Map<string, TopicPartitionOffset>();
  readonly #buffered = new Map<string, ConsumedRecord[]>();
  #connecting: Promise<void> | undefined;
  #closed = false;

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
    this.#buffered.clear();
    for (const position of positions) this.seek(position);
  }

  seek(position: TopicPartitionOffset): void {
    const { topic, partition, offset } = position;
    this.#positions.set(partitionKey(position), { topic, partition, offset });
    this.#buffered.delete(partitionKey(position));
  }

  async poll(options?: PollOptions): Promise<readonly ConsumedRecord[]> {
    if (this.#closed) throw closedError();
    const maxRecords = options?.maxRecords ?? defaultMaxRecords;
    const timeoutMs = options?.timeoutMs ?? defaultPollTimeoutMs;
    if (!this.#hasBuffered() && this.#positions.size > 0) {
      await this.#connect();
      await this.#fetch(Math.min(timeoutMs, this.#options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs));
    }
    return this.#takeBuffered(maxRecords);
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
    await this.#cluster.disconnect().catch(() => undefined);
    await this.#consumer.disconnect().catch(() => undefined);
  }

  async #fetch(maxWaitMs: number): Promise<void> {
    const positions = [...this.#positions.values()];
    const topics = [...new Set(positions.map((p) => p.topic))];
    const requestsByLeader = new Map<
      string,
      Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>
    >();
    const maxBytes = this.#options.maxBytes ?? kafkaJsDefaults.maxBytes;
    await mapErrors(this.#context('fetch', topics), async () => {
      await this.#cluster.refreshMetadataIfNecessary();
      for (const topic of topics) {
        const partitions = positions.filter((p) => p.topic === topic).map((p) => p.partition);
        for (const [leader, led] of Object.entries(this.#cluster.findLeaderForPartitions(topic, partitions))) {
          const byTopic = requestsByLeader.get(leader) ?? new Map();
          requestsByLeader.set(leader, byTopic);
          byTopic.set(
            topic,
            led.map((partition) => ({
              partition,
              fetchOffset: String(this.#positions.get(partitionKey({ topic, partition }))!.offset),
              maxBytes: Math.min(maxBytes, kafkaJsDefaults.maxBytesPerPartition),
            })),
          );
        }
      }
      await Promise.all(
        [...requestsByLeader].map(async ([leader, byTopic]) => {
          const broker = await this.#cluster.findBroker({ nodeId: leader });
          try {
            const response = (await broker.fetch({
              isolationLevel: this.#isolationLevel,
              maxWaitTime: maxWaitMs,
              minBytes: 1,
              maxBytes,
              topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
            })) as FetchResponse;
            this.#absorb(response);
          } catch (error) {
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

  /** Offset out of range (the log was truncated or compacted away): start again at the earliest offset. */
  async #recover(error: unknown): Promise<void> {
    const e = error as { name?: string; topic?: string; partition?: number };
    if (e.name === 'KafkaJSOffsetOutOfRange' && e.topic !== undefined && e.partition !== undefined) {
      const [earliest] = await this.#cluster.fetchTopicsOffset([
        { topic: e.topic, fromBeginning: true, partitions: [{ partition: e.partition }] },
      ]);
      const offset = Number(earliest?.partitions[0]?.offset ?? 0);
      this.seek({ topic: e.topic, partition: e.partition, offset });
      return;
    }
    const retriable = (error as { retriable?: boolean }).retriable === true;
    if (!retriable) throw error;
    await this.#cluster.refreshMetadata().catch(() => undefined);
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

function closedError(): KStreamsError {
  return new KStreamsError('KAFKA_CLIENT_CLOSED', 'The consumer is closed.', { hint: 'Create a new consumer.' });
}

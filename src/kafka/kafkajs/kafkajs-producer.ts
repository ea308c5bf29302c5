import kafkajs, {
  type Kafka,
  type Admin as KafkaJsAdmin,
  type Producer as KafkaJsProducer,
  type Transaction as KafkaJsTransaction,
  type Message,
} from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import { recordBatchOverhead, recordSizeUpperBound } from '../record-size.ts';
import type {
  ConnectionOptions,
  ConsumerGroupMetadata,
  Producer,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
  Transaction,
} from '../types.ts';
import { javaCompatiblePartitioner } from './java-partitioner.ts';
import { type ErrorContext, mapErrors, toKStreamsError, topicNotFound } from './kafkajs-errors.ts';
import { compressionType, kafkaJsDefaults, producerConfig } from './kafkajs-options.ts';
import { recordMetadata, topicMessages } from './record-conversion.ts';
import { isTooLarge, recordTooLargeError } from './record-too-large.ts';
import { sendChunks } from './send-chunks.ts';

/** acks=all: a send resolves only once every in-sync replica has the records. */
const acksAll = -1;

interface QueuedSend {
  readonly sender: KafkaJsProducer | KafkaJsTransaction;
  readonly records: readonly ProducerRecord[];
  readonly resolve: (metadata: readonly RecordMetadata[]) => void;
  readonly reject: (error: unknown) => void;
}

export class KafkaJsProducerAdapter implements Producer {
  readonly #connection: ConnectionOptions;
  readonly #producer: KafkaJsProducer;
  readonly #admin: KafkaJsAdmin;
  readonly #compression: number;
  readonly #transactional: boolean;
  /** The partition the partitioner chose for each message sent. */
  readonly #partitions = new WeakMap<Message, number>();
  /** Topics known to exist: kafkajs would retry a missing topic for as long as its retry budget lasts. */
  readonly #knownTopics = new Set<string>();
  readonly #queued: QueuedSend[] = [];
  #writing = false;
  #connecting: Promise<void> | undefined;
  #adminConnecting: Promise<void> | undefined;
  #closed = false;

  constructor(kafka: Kafka, connection: ConnectionOptions, options: ProducerOptions) {
    this.#connection = connection;
    this.#compression = compressionType(options.compression);
    this.#transactional = options.transactionalId !== undefined;
    this.#producer = kafka.producer({
      ...producerConfig(options),
      createPartitioner: javaCompatiblePartitioner(this.#partitions),
    });
    this.#admin = kafka.admin();
  }

  send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    return this.sendWith(this.#producer, records);
  }

  async beginTransaction(): Promise<Transaction> {
    if (!this.#transactional) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        'This producer has no transactionalId, so it cannot run transactions.',
        {
          hint: 'Create the producer with { transactionalId } to use beginTransaction().',
        },
      );
    }
    await this.#connect();
    const transaction = await mapErrors(this.#context('begin a transaction', 'KAFKA_TRANSACTION_FAILED'), () =>
      this.#producer.transaction(),
    );
    return new KafkaJsTransactionAdapter(this, transaction);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }

  /**
   * Shared with transactions: sends through either the producer or an open kafkajs transaction. Sends are
   * written strictly in call order: kafkajs runs concurrent sendBatch calls independently, so a later send
   * could land first. Sends queued while one is on the wire go out together in the next round.
   */
  sendWith(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    if (records.length === 0) return Promise.resolve([]);
    const { promise, resolve, reject } = Promise.withResolvers<readonly RecordMetadata[]>();
    this.#queued.push({ sender, records, resolve, reject });
    if (!this.#writing) void this.#writeQueued();
    return promise;
  }

  async #writeQueued(): Promise<void> {
    this.#writing = true;
    while (this.#queued.length > 0) {
      const sender = this.#queued[0]!.sender;
      let count = 0;
      while (count < this.#queued.length && this.#queued[count]!.sender === sender) count += 1;
      const sends = this.#queued.splice(0, count);
      const records = sends.length === 1 ? sends[0]!.records : sends.flatMap((queued) => queued.records);
      try {
        await this.#ready(records);
        const written = await this.#sendInChunks(sender, records);
        let start = 0;
        for (const queued of sends) {
          queued.resolve(written.slice(start, start + queued.records.length));
          start += queued.records.length;
        }
      } catch (error) {
        for (const queued of sends) queued.reject(error);
      }
    }
    this.#writing = false;
  }

  /**
   * Large sends go out in sequential chunks, in order (send-chunks.ts): kafkajs groups a send's messages per
   * partition in quadratic time, and writes each partition's messages of one request as one record batch,
   * which the broker refuses above max.message.bytes.
   */
  async #sendInChunks(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    const chunks = sendChunks(records, kafkaJsDefaults.sendChunk);
    if (chunks.length === 1) return this.#sendChunk(sender, records);
    const written: RecordMetadata[] = [];
    for (const chunk of chunks) written.push(...(await this.#sendChunk(sender, chunk)));
    return written;
  }

  async #sendChunk(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    const { messages, byTopic } = topicMessages(records);
    const topics = byTopic.map((t) => t.topic);
    const context = this.#context(`produce to ${topics.join(', ')}`, 'KAFKA_PRODUCE_FAILED', topics);
    let written: Awaited<ReturnType<KafkaJsProducer['sendBatch']>>;
    try {
      written = await sender.sendBatch({ topicMessages: byTopic, acks: acksAll, compression: this.#compression });
    } catch (error) {
      throw await this.#produceError(error, context, records, messages);
    }
    return recordMetadata(records, messages, written, this.#partitions);
  }

  /** A record the broker refused as too large gets an error naming it and the topic's limit. */
  async #produceError(
    error: unknown,
    context: ErrorContext,
    records: readonly ProducerRecord[],
    messages: readonly Message[],
  ): Promise<KStreamsError> {
    const [record] = records;
    const [message] = messages;
    if (records.length !== 1 || !record || !message || !isTooLarge(error)) return toKStreamsError(error, context);
    const partition = this.#partitions.get(message) ?? record.partition ?? -1;
    const bytes = recordBatchOverhead + recordSizeUpperBound(record);
    return recordTooLargeError(
      { topic: record.topic, partition, bytes },
      await this.#maxMessageBytes(record.topic),
      error,
    );
  }

  /** The topic's max.message.bytes, for the error message only; undefined when it cannot be read. */
  async #maxMessageBytes(topic: string): Promise<number | undefined> {
    try {
      await this.#connectAdmin();
      const described = await this.#admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      });
      const value = described.resources[0]?.configEntries.find(
        (e) => e.configName === 'max.message.bytes',
      )?.configValue;
      return value ? Number(value) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Without KIP-447 kafkajs commits transactional offsets with the group id only (TxnOffsetCommit without
   * generation and member id), so the group coordinator cannot fence a zombie member of an older generation.
   * Fencing comes from the transactional id alone: the engine uses one transactional id per input partition
   * with this adapter, so the new owner's producer (same id, higher epoch) fences the old one.
   */
  async sendOffsets(
    transaction: KafkaJsTransaction,
    offsets: readonly TopicPartitionOffset[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of offsets) {
      const partitions = topics.get(topic) ?? [];
      topics.set(topic, partitions);
      partitions.push({ partition, offset: String(offset) });
    }
    await mapErrors(
      this.#context(`add offsets of group ${group.groupId} to the transaction`, 'KAFKA_TRANSACTION_FAILED'),
      () =>
        transaction.sendOffsets({
          consumerGroupId: group.groupId,
          topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
        }),
    );
  }

  /**
   * kafkajs reads committed offsets without requireStable (OffsetFetch v4), and the transaction markers reach
   * __consumer_offsets only after EndTxn returns. Waiting here until the group shows the offsets means that
   * once commit() resolves, a new owner of these partitions reads them rather than the previous ones.
   */
  async awaitOffsetsVisible(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.#connectAdmin();
    const wanted = new Map(offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
    const topics = [...new Set(offsets.map((o) => o.topic))];
    const deadline = Date.now() + (this.#connection.requestTimeoutMs ?? kafkaJsDefaults.requestTimeoutMs);
    while (Date.now() < deadline) {
      const committed = await this.#admin.fetchOffsets({ groupId, topics });
      let visible = 0;
      for (const { topic, partitions } of committed) {
        for (const { partition, offset } of partitions) {
          const expected = wanted.get(`${topic}\u0000${partition}`);
          if (expected !== undefined && Number(offset) >= expected) visible++;
        }
      }
      if (visible === wanted.size) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  contextFor(operation: string): ErrorContext {
    return this.#context(operation, 'KAFKA_TRANSACTION_FAILED');
  }

  async #ready(records: readonly ProducerRecord[]): Promise<void> {
    await this.#connect();
    const unknown = [...new Set(records.map((r) => r.topic))].filter((t) => !this.#knownTopics.has(t));
    if (unknown.length === 0) return;
    await this.#connectAdmin();
    const existing = new Set(
      await mapErrors(this.#context('list topics', 'KAFKA_PRODUCE_FAILED'), () => this.#admin.listTopics()),
    );
    for (const topic of unknown) {
      if (!existing.has(topic)) throw topicNotFound(topic);
      this.#knownTopics.add(topic);
    }
  }

  #connect(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#connecting ??= mapErrors(this.#context('connect the producer', 'KAFKA_PRODUCE_FAILED'), () =>
      this.#producer.connect(),
    );
    this.#connecting.catch(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  #connectAdmin(): Promise<void> {
    this.#adminConnecting ??= mapErrors(this.#context('connect the producer', 'KAFKA_PRODUCE_FAILED'), () =>
      this.#admin.connect(),
    );
    this.#adminConnecting.catch(() => (this.#adminConnecting = undefined));
    return this.#adminConnecting;
  }

  #context(operation: string, fallback: ErrorContext['fallback'], topics?: readonly string[]): ErrorContext {
    return { connection: this.#connection, operation, fallback, ...(topics === undefined ? {} : { topics }) };
  }
}

class KafkaJsTransactionAdapter implements Transaction {
  readonly #producer: KafkaJsProducerAdapter;
  readonly #transaction: KafkaJsTransaction;
  readonly #offsetsByGroup = new Map<string, TopicPartitionOffset[]>();

  constructor(producer: KafkaJsProducerAdapter, transaction: KafkaJsTransaction) {
    this.#producer = producer;
    this.#transaction = transaction;
  }

  send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    return this.#producer.sendWith(this.#transaction, records);
  }

  async sendOffsets(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    await this.#producer.sendOffsets(this.#transaction, offsets, group);
    const sent = this.#offsetsByGroup.get(group.groupId) ?? [];
    this.#offsetsByGroup.set(group.groupId, [...sent, ...offsets]);
  }

  async commit(): Promise<void> {
    await mapErrors(this.#producer.contextFor('commit the transaction'), () => this.#transaction.commit());
    for (const [groupId, offsets] of this.#offsetsByGroup) await this.#producer.awaitOffsetsVisible(groupId, offsets);
  }

  abort(): Promise<void> {
    return mapErrors(this.#producer.contextFor('abort the transaction'), () => this.#transaction.abort());
  }
}

function closedError(): KStreamsError {
  return new KStreamsError('KAFKA_CLIENT_CLOSED', 'The producer is closed.', { hint: 'Create a new producer.' });
}

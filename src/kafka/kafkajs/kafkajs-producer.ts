import type {
  Kafka,
  Admin as KafkaJsAdmin,
  Producer as KafkaJsProducer,
  Transaction as KafkaJsTransaction,
  Message,
} from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
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
import { type ErrorContext, mapErrors, topicNotFound } from './kafkajs-errors.ts';
import { compressionType, kafkaJsDefaults, producerConfig } from './kafkajs-options.ts';
import { recordMetadata, topicMessages } from './record-conversion.ts';

/** acks=all: a send resolves only once every in-sync replica has the records. */
const acksAll = -1;
const sendChunkSize = 1_000;

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

  async send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    if (records.length === 0) return [];
    await this.#ready(records);
    return this.#sendWith(this.#producer, records);
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

  /** Shared with transactions: sends through either the producer or an open kafkajs transaction. */
  async sendWith(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    if (records.length === 0) return [];
    await this.#ready(records);
    return this.#sendWith(sender, records);
  }

  /**
   * kafkajs groups a send's messages per partition by copying the partition's array for every message
   * (quadratic in the records per partition), so large sends go out in sequential chunks, in order.
   */
  async #sendWith(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    if (records.length <= sendChunkSize) return this.#sendChunk(sender, records);
    const written: RecordMetadata[] = [];
    for (let start = 0; start < records.length; start += sendChunkSize) {
      written.push(...(await this.#sendChunk(sender, records.slice(start, start + sendChunkSize))));
    }
    return written;
  }

  async #sendChunk(
    sender: KafkaJsProducer | KafkaJsTransaction,
    records: readonly ProducerRecord[],
  ): Promise<readonly RecordMetadata[]> {
    const batch = topicMessages(records);
    const context = this.#context(
      `produce to ${batch.map((t) => t.topic).join(', ')}`,
      'KAFKA_PRODUCE_FAILED',
      batch.map((t) => t.topic),
    );
    const written = await mapErrors(context, () =>
      sender.sendBatch({ topicMessages: batch, acks: acksAll, compression: this.#compression }),
    );
    return recordMetadata(batch, written, this.#partitions);
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

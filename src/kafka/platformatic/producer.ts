import {
  type ClusterMetadata,
  ConfigResourceTypes,
  type Consumer,
  describeConfigsV4,
  Producer as LibraryProducer,
  type MessageToProduce,
  ProduceAcks,
  type ProduceResult,
  type SendOptions,
  txnOffsetCommitV3,
} from '@platformatic/kafka';
import { KStreamsError } from '../../errors.ts';
import { recordSizeUpperBound } from '../record-size.ts';
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
import { anyBrokerConnection, coordinatorConnection } from './coordinator.ts';
import { hasProtocolError, mapErrors, toKStreamsError } from './error-mapping.ts';
import { offsetsByTopic } from './offsets-by-topic.ts';
import { baseOptions, platformaticDefaults } from './options.ts';
import { type PartitionBatch, ProduceQueue, type QueuedRecord, type SendBatches } from './produce-queue.ts';
import { choosePartition, RoundRobinPartitions, toMessage } from './produce-records.ts';
import { batchTooLargeError, refusedBatch, tooLargeErrorIds } from './record-too-large.ts';
import { SendReceipt } from './send-receipt.ts';

type LibraryTransaction = Awaited<ReturnType<LibraryProducer<Buffer, Buffer, Buffer, Buffer>['beginTransaction']>>;

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

type Send = (options: SendOptions<Buffer, Buffer, Buffer, Buffer>) => Promise<ProduceResult>;

/**
 * A producer on @platformatic/kafka: idempotent and acks=all by default, Java-compatible partitions,
 * linger batching (sends made within `lingerMs` are batched together), and record batches cut to stay
 * under the broker's size limit, sent in order with one request in flight per partition (produce-queue.ts).
 */
export function createPlatformaticProducer(connection: ConnectionOptions, options: ProducerOptions = {}): Producer {
  return new PlatformaticProducer(connection, options);
}

class PlatformaticProducer implements Producer {
  readonly #connection: ConnectionOptions;
  readonly #options: ProducerOptions;
  readonly #library: LibraryProducer<Buffer, Buffer, Buffer, Buffer>;
  readonly #roundRobin = new RoundRobinPartitions();
  readonly #lingerMs: number;
  readonly #queue: ProduceQueue<ProducerRecord>;
  #pending: SendReceipt[] = [];
  #pendingRecords = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Sends are queued strictly in call order, although choosing partitions awaits metadata. */
  #ordering: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(connection: ConnectionOptions, options: ProducerOptions) {
    this.#connection = connection;
    this.#options = options;
    this.#lingerMs = options.lingerMs ?? platformaticDefaults.lingerMs;
    const transactional = options.transactionalId !== undefined;
    this.#library = new LibraryProducer({
      ...baseOptions(connection, transactional ? `tx-${options.transactionalId}` : 'producer'),
      idempotent: transactional || (options.idempotent ?? true),
      acks: ProduceAcks.ALL,
      compression: options.compression ?? 'none',
      ...(transactional ? { transactionalId: options.transactionalId } : {}),
    });
    this.#queue = this.#produceQueue((request) => this.#library.send(request));
  }

  send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    if (this.#closed) return Promise.reject(closedError('send'));
    if (this.#options.transactionalId !== undefined) {
      return Promise.reject(
        new KStreamsError('KAFKA_TRANSACTION_FAILED', 'A transactional producer sent records outside a transaction.', {
          hint: 'Call beginTransaction() and send through the returned transaction.',
        }),
      );
    }
    if (records.length === 0) return Promise.resolve([]);
    const receipt = new SendReceipt(records);
    this.#pending.push(receipt);
    this.#pendingRecords += records.length;
    if (this.#pendingRecords >= platformaticDefaults.lingerMaxRecords || this.#lingerMs <= 0) {
      this.#flush();
    } else {
      this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    }
    return receipt.promise;
  }

  async beginTransaction(): Promise<Transaction> {
    if (this.#options.transactionalId === undefined) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        'beginTransaction() was called on a producer without transactionalId.',
        {
          hint: 'Create the producer with a transactionalId to use transactions.',
        },
      );
    }
    if (this.#closed) throw closedError('beginTransaction');
    const transaction = await mapErrors(this.#connection, 'transaction', { operation: 'beginTransaction' }, () =>
      this.#library.beginTransaction(),
    );
    const queue = this.#produceQueue((request) => transaction.send(request));
    return new PlatformaticTransaction(this.#connection, this.#library, transaction, (records) => {
      const receipt = new SendReceipt(records);
      this.#submit([receipt], queue);
      return receipt.promise;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    await this.#ordering;
    await this.#queue.whenIdle();
    this.#closed = true;
    await this.#library.close();
  }

  /** A queue whose requests go through `send` (the producer's, or a transaction's). */
  #produceQueue(send: Send): ProduceQueue<ProducerRecord> {
    const sendBatches: SendBatches<ProducerRecord> = async (batches) => {
      // Library messages are made per request, not per queued record: only records on the wire have one.
      const messages: Message[] = [];
      for (const batch of batches) {
        for (const record of batch.records) messages.push(toMessage(record.message, batch.partition));
      }
      let result: ProduceResult;
      try {
        result = await send({ messages, acks: ProduceAcks.ALL });
      } catch (error) {
        throw await this.#produceError(error, batches);
      }
      const baseOffsets = new Map<string, number>();
      for (const written of result.offsets ?? []) {
        baseOffsets.set(`${written.topic}:${written.partition}`, Number(written.offset));
      }
      return baseOffsets;
    };
    return new ProduceQueue(sendBatches, {
      batchBytes: platformaticDefaults.batchBytes,
      requestBytes: platformaticDefaults.requestBytes,
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const receipts = this.#pending;
    if (receipts.length === 0) return;
    this.#pending = [];
    this.#pendingRecords = 0;
    this.#submit(receipts, this.#queue);
  }

  #submit(receipts: readonly SendReceipt[], queue: ProduceQueue<ProducerRecord>): void {
    this.#ordering = this.#ordering.then(() => this.#enqueue(receipts, queue));
  }

  /** Chooses each record's partition from the topic's partition count and queues it; never rejects. */
  async #enqueue(receipts: readonly SendReceipt[], queue: ProduceQueue<ProducerRecord>): Promise<void> {
    const topics = new Set<string>();
    for (const receipt of receipts) for (const record of receipt.records) topics.add(record.topic);
    let metadata: ClusterMetadata;
    try {
      metadata = await mapErrors(this.#connection, 'produce', { operation: 'produce', topics: [...topics] }, () =>
        this.#library.metadata({ topics: [...topics] }),
      );
    } catch (error) {
      for (const receipt of receipts) receipt.failed(error);
      return;
    }
    const queued: QueuedRecord<ProducerRecord>[] = [];
    for (const receipt of receipts) {
      const start = queued.length;
      try {
        receipt.records.forEach((record, index) => {
          const count = metadata.topics.get(record.topic)?.partitionsCount ?? 0;
          const partition = choosePartition(record, count, this.#roundRobin);
          if (partition < 0 || partition >= count) {
            throw new KStreamsError(
              'KAFKA_PRODUCE_FAILED',
              `Partition ${partition} does not exist in topic "${record.topic}" (${count} partitions).`,
              { hint: 'Send to a partition below the topic’s partition count, or leave the partition out.' },
            );
          }
          queued.push({
            topic: record.topic,
            partition,
            bytes: recordSizeUpperBound(record),
            message: record,
            receipt,
            index,
          });
        });
      } catch (error) {
        queued.length = start;
        receipt.failed(error);
      }
    }
    queue.enqueue(queued);
  }

  async #produceError(error: unknown, batches: readonly PartitionBatch<ProducerRecord>[]): Promise<KStreamsError> {
    const refused = hasProtocolError(error, ...tooLargeErrorIds) ? refusedBatch(error, batches) : undefined;
    if (refused) {
      return batchTooLargeError(
        refused,
        await this.#maxMessageBytes(refused.topic),
        platformaticDefaults.batchBytes,
        error,
      );
    }
    const topics = [...new Set(batches.map((batch) => batch.topic))];
    return toKStreamsError(error, this.#connection, 'produce', { operation: 'produce', topics });
  }

  /** The topic's max.message.bytes, for the error message only; undefined when it cannot be read. */
  async #maxMessageBytes(topic: string): Promise<number | undefined> {
    try {
      const connection = await anyBrokerConnection(this.#library);
      const response = await describeConfigsV4.api.async(
        connection,
        [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['max.message.bytes'] }],
        false,
        false,
      );
      const value = response.results[0]?.configs.find((config) => config.name === 'max.message.bytes')?.value;
      return value ? Number(value) : undefined;
    } catch {
      return undefined;
    }
  }
}

class PlatformaticTransaction implements Transaction {
  readonly #connection: ConnectionOptions;
  readonly #producer: LibraryProducer<Buffer, Buffer, Buffer, Buffer>;
  readonly #transaction: LibraryTransaction;
  readonly #write: (records: readonly ProducerRecord[]) => Promise<readonly RecordMetadata[]>;

  constructor(
    connection: ConnectionOptions,
    producer: LibraryProducer<Buffer, Buffer, Buffer, Buffer>,
    transaction: LibraryTransaction,
    write: (records: readonly ProducerRecord[]) => Promise<readonly RecordMetadata[]>,
  ) {
    this.#connection = connection;
    this.#producer = producer;
    this.#transaction = transaction;
    this.#write = write;
  }

  async send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    if (records.length === 0) return [];
    return this.#write(records);
  }

  /**
   * AddOffsetsToTxn through the library, then one TxnOffsetCommit for all partitions carrying the
   * group's generation and member id (KIP-447), so a zombie member's offsets are rejected.
   */
  async sendOffsets(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    if (offsets.length === 0) return;
    await mapErrors(this.#connection, 'transaction', { operation: 'sendOffsets', groupId: group.groupId }, async () => {
      // addConsumer only reads the group id of the consumer it is given.
      await this.#transaction.addConsumer({ groupId: group.groupId } as Pick<Consumer, 'groupId'> as Consumer);
      const byTopic = offsetsByTopic(offsets);
      const connection = await coordinatorConnection(this.#producer, group.groupId, 'group');
      await txnOffsetCommitV3.api.async(
        connection,
        this.#transaction.id,
        group.groupId,
        this.#producer.producerId ?? -1n,
        this.#producer.producerEpoch ?? -1,
        group.generationId,
        group.memberId,
        group.groupInstanceId ?? null,
        [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      );
    });
  }

  commit(): Promise<void> {
    return mapErrors(this.#connection, 'transaction', { operation: 'commitTransaction' }, () =>
      this.#transaction.commit(),
    );
  }

  abort(): Promise<void> {
    return mapErrors(this.#connection, 'transaction', { operation: 'abortTransaction' }, () =>
      this.#transaction.abort(),
    );
  }
}

function closedError(operation: string): KStreamsError {
  return new KStreamsError('KAFKA_CLIENT_CLOSED', `The producer is closed (${operation}).`, {
    hint: 'Create a new producer; a closed one cannot be used again.',
  });
}

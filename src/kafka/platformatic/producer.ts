import {
  type Consumer,
  Producer as LibraryProducer,
  ProduceAcks,
  type ProduceResult,
  type SendOptions,
  txnOffsetCommitV3,
} from '@platformatic/kafka';
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
import { coordinatorConnection } from './coordinator.ts';
import { mapErrors } from './error-mapping.ts';
import { offsetsByTopic } from './offsets-by-topic.ts';
import { baseOptions, platformaticDefaults } from './options.ts';
import { choosePartition, RoundRobinPartitions, recordMetadata, toMessage } from './produce-records.ts';

type LibraryTransaction = Awaited<ReturnType<LibraryProducer<Buffer, Buffer, Buffer, Buffer>['beginTransaction']>>;

type Send = (options: SendOptions<Buffer, Buffer, Buffer, Buffer>) => Promise<ProduceResult>;

interface PendingSend {
  readonly records: readonly ProducerRecord[];
  readonly resolve: (metadata: readonly RecordMetadata[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A producer on @platformatic/kafka: idempotent and acks=all by default, Java-compatible partitions,
 * and linger batching (sends made within `lingerMs` go out as one request per broker).
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
  #pending: PendingSend[] = [];
  #pendingRecords = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
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
    const { promise, resolve, reject } = Promise.withResolvers<readonly RecordMetadata[]>();
    this.#pending.push({ records, resolve, reject });
    this.#pendingRecords += records.length;
    if (this.#pendingRecords >= platformaticDefaults.maxBatchRecords || this.#lingerMs <= 0) {
      this.#flush();
    } else {
      this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    }
    return promise;
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
    return new PlatformaticTransaction(this.#connection, this.#library, transaction, (records, send) =>
      this.#write(records, send),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    await Promise.allSettled([...this.#inFlight]);
    this.#closed = true;
    await this.#library.close();
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#pendingRecords = 0;
    const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((pending) => pending.records);
    const flight = this.#write(records, (options) => this.#library.send(options)).then(
      (metadata) => {
        let start = 0;
        for (const pending of batch) {
          pending.resolve(metadata.slice(start, start + pending.records.length));
          start += pending.records.length;
        }
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
    this.#inFlight.add(flight);
    void flight.finally(() => this.#inFlight.delete(flight));
  }

  /** Chooses each record's partition from the topic's partition count, then sends them in one call. */
  #write(records: readonly ProducerRecord[], send: Send): Promise<RecordMetadata[]> {
    const topics = [...new Set(records.map((record) => record.topic))];
    return mapErrors(this.#connection, 'produce', { operation: 'produce', topics }, async () => {
      const metadata = await this.#library.metadata({ topics });
      const partitions = records.map((record) => {
        const count = metadata.topics.get(record.topic)?.partitionsCount ?? 0;
        const partition = choosePartition(record, count, this.#roundRobin);
        if (partition < 0 || partition >= count) {
          throw new KStreamsError(
            'KAFKA_PRODUCE_FAILED',
            `Partition ${partition} does not exist in topic "${record.topic}" (${count} partitions).`,
            { hint: 'Send to a partition below the topic’s partition count, or leave the partition out.' },
          );
        }
        return partition;
      });
      const result = await send({
        messages: records.map((record, index) => toMessage(record, partitions[index]!)),
        acks: ProduceAcks.ALL,
      });
      const baseOffsets = new Map<string, number>();
      for (const written of result.offsets ?? []) {
        baseOffsets.set(`${written.topic}:${written.partition}`, Number(written.offset));
      }
      return recordMetadata(partitions, records, baseOffsets);
    });
  }
}

class PlatformaticTransaction implements Transaction {
  readonly #connection: ConnectionOptions;
  readonly #producer: LibraryProducer<Buffer, Buffer, Buffer, Buffer>;
  readonly #transaction: LibraryTransaction;
  readonly #write: (records: readonly ProducerRecord[], send: Send) => Promise<RecordMetadata[]>;

  constructor(
    connection: ConnectionOptions,
    producer: LibraryProducer<Buffer, Buffer, Buffer, Buffer>,
    transaction: LibraryTransaction,
    write: (records: readonly ProducerRecord[], send: Send) => Promise<RecordMetadata[]>,
  ) {
    this.#connection = connection;
    this.#producer = producer;
    this.#transaction = transaction;
    this.#write = write;
  }

  async send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    if (records.length === 0) return [];
    return this.#write(records, (options) => this.#transaction.send(options));
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

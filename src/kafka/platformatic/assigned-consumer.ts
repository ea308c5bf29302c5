import { randomUUID } from 'node:crypto';
import { Consumer } from '@platformatic/kafka';
import { KStreamsError } from '../../errors.ts';
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
import { mapErrors } from './error-mapping.ts';
import { listOffsets } from './group-offsets.ts';
import { baseOptions, platformaticDefaults } from './options.ts';
import { PartitionFetcher } from './partition-fetcher.ts';

export function createPlatformaticAssignedConsumer(
  connection: ConnectionOptions,
  options: AssignedConsumerOptions = {},
): AssignedConsumer {
  return new PlatformaticAssignedConsumer(connection, options);
}

/** Reads chosen partitions from chosen offsets, without a group (changelog restoration). */
class PlatformaticAssignedConsumer implements AssignedConsumer {
  readonly #connection: ConnectionOptions;
  readonly #isolationLevel;
  readonly #library: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #fetcher: PartitionFetcher;
  #closed = false;

  constructor(connection: ConnectionOptions, options: AssignedConsumerOptions) {
    this.#connection = connection;
    this.#isolationLevel = options.isolationLevel ?? 'read_uncommitted';
    // The library's Consumer requires a group id; this one never joins or commits.
    this.#library = new Consumer({
      ...baseOptions(connection, 'restore-consumer'),
      groupId: `${connection.clientId}-unused-${randomUUID()}`,
      autocommit: false,
    });
    this.#fetcher = new PartitionFetcher(this.#library, {
      isolationLevel: this.#isolationLevel,
      maxBytes: options.maxBytes ?? platformaticDefaults.fetchMaxBytes,
      partitionMaxBytes: Math.min(options.maxBytes ?? Infinity, platformaticDefaults.assignedPartitionMaxBytes),
      maxWaitMs: options.maxWaitMs ?? platformaticDefaults.fetchMaxWaitMs,
      resetOffsets: (partitions) => listOffsets(this.#library, partitions, 'earliest', this.#isolationLevel),
    });
  }

  async assign(positions: readonly TopicPartitionOffset[]): Promise<void> {
    this.#checkOpen();
    const topics = [...new Set(positions.map((p) => p.topic))];
    await this.#fetcher.settle();
    // Fails early, naming the topic, when one does not exist.
    await mapErrors(this.#connection, 'consume', { operation: 'assign', topics }, () =>
      this.#library.metadata({ topics }),
    );
    this.#fetcher.assign(positions);
    this.#fetcher.setPaused(positions, false);
  }

  seek(position: TopicPartitionOffset): void {
    this.#fetcher.setPaused([position], false);
    if (!this.#fetcher.seek(position)) {
      throw new KStreamsError(
        'KAFKA_CONSUME_FAILED',
        `Cannot seek ${position.topic}-${position.partition}: it is not assigned to this consumer.`,
        { hint: 'Call assign() with the partition first.' },
      );
    }
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.#fetcher.setPaused(partitions, true);
    for (const tp of partitions) this.#fetcher.dropBuffered(tp);
  }

  poll(options: PollOptions = {}): Promise<readonly ConsumedRecord[]> {
    this.#checkOpen();
    const topics = [...new Set(this.#fetcher.assigned().map((p) => p.topic))];
    return mapErrors(this.#connection, 'consume', { operation: 'poll', topics }, () =>
      this.#fetcher.poll(
        options.maxRecords ?? platformaticDefaults.maxPollRecords,
        options.timeoutMs ?? platformaticDefaults.pollTimeoutMs,
        () => this.#closed,
      ),
    );
  }

  pollBatches(options: PollOptions = {}): Promise<readonly FetchedRecordBatches[] | undefined> {
    this.#checkOpen();
    const topics = [...new Set(this.#fetcher.assigned().map((p) => p.topic))];
    return mapErrors(this.#connection, 'consume', { operation: 'poll', topics }, () =>
      this.#fetcher.pollBatches(options.timeoutMs ?? platformaticDefaults.pollTimeoutMs, () => this.#closed),
    );
  }

  endOffsets(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]> {
    this.#checkOpen();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    return mapErrors(this.#connection, 'consume', { operation: 'endOffsets', topics }, () =>
      listOffsets(this.#library, partitions, 'latest', this.#isolationLevel),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fetcher.settle();
    await this.#library.close();
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new KStreamsError('KAFKA_CLIENT_CLOSED', 'The assigned consumer is closed.', {
        hint: 'Create a new consumer; a closed one cannot be used again.',
      });
    }
  }
}

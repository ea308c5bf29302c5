import type { ConsumerConfig, KafkaConfig, ProducerConfig, RetryOptions } from 'kafkajs';
import kafkajs from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import type { ConnectionOptions, GroupConsumerOptions, ProducerOptions } from '../types.ts';

/** Every default this adapter chooses for kafkajs, in one place. */
export const kafkaJsDefaults = {
  requestTimeoutMs: 5_000,
  /** Connection attempts back off 100, 200, 400, 800 ms: a bad address fails within a few seconds. */
  retry: { initialRetryTime: 100, retries: 4, maxRetryTime: 1_000 } satisfies RetryOptions,
  /** The idempotent producer retries longer (as Java's delivery.timeout.ms), yet never forever. */
  producerRetry: { initialRetryTime: 100, retries: 10, maxRetryTime: 2_000 } satisfies RetryOptions,
  /**
   * A send goes out in sequential sendBatch calls of at most this many records and bytes (Java's
   * max.request.size): each partition's record batch then stays under the broker's default
   * max.message.bytes (1 MiB + 12 bytes).
   */
  sendChunk: { records: 1_000, bytes: 1024 * 1024 },
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 1_000,
  maxBytes: 32 * 1024 * 1024,
  maxBytesPerPartition: 4 * 1024 * 1024,
  /**
   * Per partition for the assigned (restore) consumer: Java's default max.partition.fetch.bytes. kafkajs
   * decodes a whole fetch response at once, and smaller responses keep fewer records alive through each
   * young-generation GC (1M changelog records, medians of 5 in one invocation: raw consume +16-25 %
   * against 4 MiB).
   */
  assignedMaxBytesPerPartition: 1024 * 1024,
  maxWaitMs: 500,
  /** kafkajs hands the batches of one fetch to this many eachBatch calls at once (one per partition). */
  partitionsConsumedConcurrently: 64,
  transactionTimeoutMs: 60_000,
} as const;

export function kafkaConfig(connection: ConnectionOptions): KafkaConfig {
  const timeout = connection.requestTimeoutMs ?? kafkaJsDefaults.requestTimeoutMs;
  return {
    brokers: [...connection.brokers],
    clientId: connection.clientId,
    ssl: connection.ssl ?? false,
    ...(connection.sasl === undefined ? {} : { sasl: saslConfig(connection.sasl) }),
    connectionTimeout: timeout,
    authenticationTimeout: timeout,
    requestTimeout: timeout,
    retry: kafkaJsDefaults.retry,
    // kafkajs logs through its own console logger; errors reach the caller as KStreamsError instead.
    logLevel: kafkajs.logLevel.NOTHING,
  };
}

function saslConfig(sasl: NonNullable<ConnectionOptions['sasl']>): NonNullable<KafkaConfig['sasl']> {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

export function producerConfig(options: ProducerOptions): ProducerConfig {
  const transactional = options.transactionalId !== undefined;
  const idempotent = transactional || (options.idempotent ?? true);
  return {
    idempotent,
    // kafkajs keeps sequence numbers correct only with one request in flight per broker.
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    retry: idempotent ? kafkaJsDefaults.producerRetry : kafkaJsDefaults.retry,
    ...(transactional
      ? { transactionalId: options.transactionalId, transactionTimeout: kafkaJsDefaults.transactionTimeoutMs }
      : {}),
  };
}

export function compressionType(compression: ProducerOptions['compression']): number {
  switch (compression ?? 'none') {
    case 'none':
      return kafkajs.CompressionTypes.None;
    case 'gzip':
      return kafkajs.CompressionTypes.GZIP;
    default:
      throw new KStreamsError('KAFKA_UNSUPPORTED', `The kafkajs adapter cannot compress with "${compression}".`, {
        hint: 'Use compression "gzip" or "none" with the kafkajs adapter, or use the platformatic adapter.',
      });
  }
}

export function groupConsumerConfig(
  options: GroupConsumerOptions,
  partitionAssigners: NonNullable<ConsumerConfig['partitionAssigners']>,
): ConsumerConfig {
  const maxBytes = options.maxBytes ?? kafkaJsDefaults.maxBytes;
  return {
    groupId: options.groupId,
    partitionAssigners,
    sessionTimeout: options.sessionTimeoutMs ?? kafkaJsDefaults.sessionTimeoutMs,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? kafkaJsDefaults.rebalanceTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs ?? kafkaJsDefaults.heartbeatIntervalMs,
    maxBytes,
    maxBytesPerPartition: Math.min(maxBytes, kafkaJsDefaults.maxBytesPerPartition),
    maxWaitTimeInMs: options.maxWaitMs ?? kafkaJsDefaults.maxWaitMs,
    allowAutoTopicCreation: false,
    readUncommitted: (options.isolationLevel ?? 'read_committed') === 'read_uncommitted',
  };
}

export function fromBeginning(options: GroupConsumerOptions): boolean {
  switch (options.offsetReset ?? 'earliest') {
    case 'earliest':
      return true;
    case 'latest':
      return false;
    case 'none':
      throw new KStreamsError('KAFKA_UNSUPPORTED', 'The kafkajs adapter cannot fail on a missing committed offset.', {
        hint: 'Use offsetReset "earliest" or "latest" with the kafkajs adapter.',
      });
  }
}

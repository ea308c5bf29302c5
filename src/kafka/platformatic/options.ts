import type { BaseOptions, SASLMechanismValue } from '@platformatic/kafka';
import type { ConnectionOptions } from '../types.ts';

/**
 * Every option given to @platformatic/kafka is decided here, so tuning (and the adapter's defaults) is
 * in one place. Defaults favour throughput: large fetches, a short linger, and bounded connection time.
 */
export const platformaticDefaults = {
  requestTimeoutMs: 30_000,
  retries: 3,
  retryDelayMs: 250,
  lingerMs: 5,
  /** Lingering sends go out early once they hold this many records. */
  lingerMaxRecords: 10_000,
  /**
   * A partition's records go out in record batches of at most this many bytes (Java's batch.size), well
   * under the broker's default max.message.bytes (1 MiB + 12 bytes); a larger record goes in a batch alone.
   */
  batchBytes: 512 * 1024,
  /** Batches of several partitions share one produce request up to this many bytes (Java's max.request.size). */
  requestBytes: 4 * 1024 * 1024,
  fetchMaxBytes: 8 * 1024 * 1024,
  partitionMaxBytes: 2 * 1024 * 1024,
  /**
   * Per partition for the assigned (restore) consumer, which reads to the end as fast as it can. The library
   * decodes a whole fetch response at once and its records live until polled, so every young-generation
   * GC copies them: smaller responses cost less (1M changelog records, medians of 5-7 in one invocation:
   * raw consume +13-17 %, restore +30-40 % against 2 MiB).
   */
  assignedPartitionMaxBytes: 512 * 1024,
  fetchMaxWaitMs: 500,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 60_000,
  /** How long a detected rebalance waits for the next poll before it runs in the background. */
  rejoinGraceMs: 1_000,
  maxPollRecords: 500,
  pollTimeoutMs: 1_000,
} as const;

const saslMechanisms = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const satisfies Record<string, SASLMechanismValue>;

/** The library's base (connection) options for one client. */
export function baseOptions(
  connection: ConnectionOptions,
  clientSuffix: string,
  longestRequestMs = 0,
): BaseOptions & { requestTimeout: number } {
  const timeout = connection.requestTimeoutMs ?? platformaticDefaults.requestTimeoutMs;
  const options: BaseOptions & { requestTimeout: number } = {
    clientId: `${connection.clientId}-${clientSuffix}`,
    bootstrapBrokers: [...connection.brokers],
    // The connect timeout bounds each attempt, and the retries are few and short, so a bad address
    // fails within about (retries + 1) connection attempts instead of retrying forever.
    connectTimeout: timeout,
    timeout,
    // Requests that legitimately block on the broker (JoinGroup waits for the whole group, fetches wait
    // for data) need longer than the connection bound.
    requestTimeout: Math.max(timeout, longestRequestMs + 5_000),
    retries: platformaticDefaults.retries,
    retryDelay: platformaticDefaults.retryDelayMs,
    metadataMaxAge: 5_000,
    autocreateTopics: false,
  };
  if (connection.sasl) {
    options.sasl = {
      mechanism: saslMechanisms[connection.sasl.mechanism],
      username: connection.sasl.username,
      password: connection.sasl.password,
    };
  }
  if (connection.ssl) options.tls = {};
  return options;
}

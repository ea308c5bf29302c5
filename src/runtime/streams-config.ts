import { KStreamsError } from '../errors.ts';
import { type AdapterName, adapterNames } from '../kafka/types.ts';
import { bytesSerde } from '../serdes/bytes-serde.ts';
import type { Serde } from '../serdes/serde.ts';
import { parseHostInfo } from './application-server.ts';
import {
  defaultErrorHandling,
  type ErrorHandling,
  productionErrorPolicies,
  recordErrorPolicies,
} from './error-policies.ts';
import { consoleLogger, type Logger } from './logger.ts';

export const processingGuarantees = ['at_least_once', 'exactly_once_v2'] as const;
export type ProcessingGuarantee = (typeof processingGuarantees)[number];

/**
 * What happens after an uncaught error in the poll loop: stop this instance (`shutdown-application`,
 * ending in ERROR) or drop the loop's tasks uncommitted, make a new consumer and go on (`replace-thread`).
 */
export const uncaughtErrorPolicies = ['shutdown-application', 'replace-thread'] as const;

/**
 * What is measured (metrics.recording.level): `info` the poll loop (per batch, no per-record cost);
 * `debug` also every store operation and cache lookup, which costs a clock read per operation.
 */
export const metricsRecordingLevels = ['info', 'debug'] as const;
export type MetricsRecordingLevel = (typeof metricsRecordingLevels)[number];
export type UncaughtErrorPolicy = (typeof uncaughtErrorPolicies)[number];

/** The application's configuration (Kafka Streams' StreamsConfig, in camelCase). */
export interface StreamsConfig {
  /** Names the application: the consumer group id and the prefix of its internal topics. Required. */
  readonly applicationId: string;
  /** "host:port,host:port" or a list; required unless a client is passed to KafkaStreams. */
  readonly bootstrapServers?: string | readonly string[];
  readonly clientAdapter?: AdapterName;
  /** How often processed offsets are committed. Default 30000 (Kafka Streams' at_least_once default). */
  readonly commitIntervalMs?: number;
  readonly stateDir?: string;
  readonly processingGuarantee?: ProcessingGuarantee;
  readonly errorHandling?: Partial<ErrorHandling>;
  /** For sources and sinks that name no serde. Default: bytes (Buffers pass through). */
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  /** Upper bound on the records one poll returns. Default 1000. */
  readonly maxPollRecords?: number;
  /** How long a task with an empty input partition waits for data before processing the others. Default 0. */
  readonly maxTaskIdleMs?: number;
  /** A partition with more buffered records than this is paused until its queue drains. Default 1000. */
  readonly bufferedRecordsPerPartition?: number;
  readonly uncaughtErrorPolicy?: UncaughtErrorPolicy;
  /** The group session timeout (session.timeout.ms): how soon a crashed instance's tasks move. Adapter default. */
  readonly sessionTimeoutMs?: number;
  /** How often the consumer heartbeats (heartbeat.interval.ms). Adapter default. */
  readonly heartbeatIntervalMs?: number;
  /** Upper bound on the bytes of one fetch (fetch.max.bytes); with maxPollRecords it bounds input memory. Adapter default. */
  readonly fetchMaxBytes?: number;
  /** How long output waits to be batched with more (linger.ms). Adapter default. */
  readonly lingerMs?: number;
  /**
   * Bytes each store's write-back cache (or write buffer) may hold between commits; past it the task
   * commits early instead of spilling uncommitted data to disk. Default 10 MiB (cache.max.bytes.buffering).
   */
  readonly cacheMaxBytesPerStore?: number;
  /** Default: JSON lines on stderr. */
  readonly logger?: Logger;
  /**
   * This instance's `host:port` for interactive queries (application.server): advertised to the group,
   * so every instance learns which instance holds which task. Optional.
   */
  readonly applicationServer?: string;
  /** Default `info`: poll-loop metrics only; `debug` adds store operation latency and cache hit ratio. */
  readonly metricsRecordingLevel?: MetricsRecordingLevel;
}

/** The configuration with every default applied. */
export interface ResolvedStreamsConfig {
  readonly applicationId: string;
  /** Empty when a client was injected and no servers were given. */
  readonly bootstrapServers: readonly string[];
  readonly clientAdapter: AdapterName;
  readonly commitIntervalMs: number;
  readonly stateDir: string;
  readonly processingGuarantee: 'at_least_once';
  readonly errorHandling: ErrorHandling;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly maxPollRecords: number;
  readonly maxTaskIdleMs: number;
  readonly bufferedRecordsPerPartition: number;
  readonly uncaughtErrorPolicy: UncaughtErrorPolicy;
  readonly sessionTimeoutMs: number | undefined;
  readonly heartbeatIntervalMs: number | undefined;
  readonly fetchMaxBytes: number | undefined;
  readonly lingerMs: number | undefined;
  readonly cacheMaxBytesPerStore: number;
  readonly logger: Logger;
  readonly applicationServer: string | undefined;
  readonly metricsRecordingLevel: MetricsRecordingLevel;
}

/** Returns undefined when the value is fine, else what is allowed ("a positive integer"). */
type Check = (value: unknown) => string | undefined;

const integerAtLeast =
  (min: number): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min
      ? undefined
      : min === 0
        ? 'a non-negative integer'
        : `an integer >= ${min}`;

const oneOf =
  (allowed: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && allowed.includes(value) ? undefined : `one of ${allowed.join(', ')}`;

const nonEmptyString: Check = (value) =>
  typeof value === 'string' && value.trim().length > 0 ? undefined : 'a non-empty string';

const hostPort = /^[^\s:,]+:\d{1,5}$/;
const servers: Check = (value) => {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  return Array.isArray(list) && list.length > 0 && list.every((s) => typeof s === 'string' && hostPort.test(s))
    ? undefined
    : 'host:port pairs, as "h1:9092,h2:9092" or ["h1:9092", "h2:9092"]';
};

// Application ids become group ids and topic-name prefixes: Kafka's legal topic characters only.
const applicationIdCheck: Check = (value) =>
  typeof value === 'string' && /^[a-zA-Z0-9._-]+$/.test(value) && value.length <= 200
    ? undefined
    : 'a name of letters, digits, ".", "_" and "-" (at most 200 characters)';

const serde: Check = (value) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Serde<unknown>).serialize === 'function' &&
  typeof (value as Serde<unknown>).deserialize === 'function'
    ? undefined
    : 'a Serde (an object with serialize and deserialize)';

const logger: Check = (value) =>
  typeof value === 'object' &&
  value !== null &&
  (['debug', 'info', 'warn', 'error'] as const).every((level) => typeof (value as Logger)[level] === 'function')
    ? undefined
    : 'a Logger (an object with debug, info, warn and error functions)';

const errorHandlingKeys = ['deserialization', 'processing', 'production', 'deadLetterTopic'] as const;
const errorHandling: Check = (value) => {
  if (typeof value !== 'object' || value === null)
    return 'an object { deserialization, processing, production, deadLetterTopic }';
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !(errorHandlingKeys as readonly string[]).includes(key));
  if (unknown !== undefined) return `an object with only the keys ${errorHandlingKeys.join(', ')} (not "${unknown}")`;
  for (const key of ['deserialization', 'processing'] as const) {
    if (record[key] !== undefined && oneOf(recordErrorPolicies)(record[key]) !== undefined) {
      return `an object whose ${key} policy is one of ${recordErrorPolicies.join(', ')}`;
    }
  }
  if (record.production !== undefined && oneOf(productionErrorPolicies)(record.production) !== undefined) {
    return `an object whose production policy is one of ${productionErrorPolicies.join(', ')}`;
  }
  if (record.deadLetterTopic !== undefined && nonEmptyString(record.deadLetterTopic) !== undefined) {
    return 'an object whose deadLetterTopic is a non-empty topic name';
  }
  const deadLetter = record.deserialization === 'dead-letter' || record.processing === 'dead-letter';
  if (deadLetter && record.deadLetterTopic === undefined) {
    return 'an object with a deadLetterTopic when a policy is dead-letter';
  }
  return undefined;
};

/** One entry per key: its check and its default (undefined: required or optional without default). */
const schema: Readonly<Record<keyof StreamsConfig, Check>> = {
  applicationId: applicationIdCheck,
  bootstrapServers: servers,
  clientAdapter: oneOf(adapterNames),
  commitIntervalMs: integerAtLeast(0),
  stateDir: nonEmptyString,
  processingGuarantee: oneOf(processingGuarantees),
  errorHandling,
  defaultKeySerde: serde,
  defaultValueSerde: serde,
  maxPollRecords: integerAtLeast(1),
  maxTaskIdleMs: integerAtLeast(0),
  bufferedRecordsPerPartition: integerAtLeast(1),
  uncaughtErrorPolicy: oneOf(uncaughtErrorPolicies),
  sessionTimeoutMs: integerAtLeast(1),
  heartbeatIntervalMs: integerAtLeast(1),
  fetchMaxBytes: integerAtLeast(1024),
  lingerMs: integerAtLeast(0),
  cacheMaxBytesPerStore: integerAtLeast(1),
  logger,
  applicationServer: (value) =>
    typeof value === 'string' && parseHostInfo(value) !== undefined
      ? undefined
      : 'a "host:port" endpoint with a port from 1 to 65535, such as "10.0.0.5:8080"',
  metricsRecordingLevel: oneOf(metricsRecordingLevels),
};

export const streamsConfigKeys = Object.keys(schema) as readonly (keyof StreamsConfig)[];

export const streamsConfigDefaults = {
  clientAdapter: 'platformatic',
  commitIntervalMs: 30_000,
  stateDir: 'state',
  processingGuarantee: 'at_least_once',
  maxPollRecords: 1000,
  maxTaskIdleMs: 0,
  bufferedRecordsPerPartition: 1000,
  uncaughtErrorPolicy: 'shutdown-application',
  cacheMaxBytesPerStore: 10 * 1024 * 1024,
  metricsRecordingLevel: 'info',
} as const satisfies Partial<StreamsConfig>;

/**
 * Checks the configuration and applies the defaults. Unknown keys, missing required keys and bad values
 * are CONFIG_INVALID errors naming the key, the value and what is allowed.
 */
export function resolveStreamsConfig(
  config: StreamsConfig,
  options: { readonly clientProvided?: boolean } = {},
): ResolvedStreamsConfig {
  if (typeof config !== 'object' || config === null) {
    throw invalid('The streams configuration is not an object.', 'Pass an object such as { applicationId: "my-app" }.');
  }
  const given = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      const suggestion = closest(key, streamsConfigKeys);
      throw invalid(
        `Unknown configuration key "${key}".`,
        suggestion === undefined
          ? `Known keys: ${streamsConfigKeys.join(', ')}.`
          : `Did you mean "${suggestion}"? Known keys: ${streamsConfigKeys.join(', ')}.`,
      );
    }
  }
  if (given.applicationId === undefined) {
    throw invalid('The configuration has no applicationId.', 'Set applicationId: it names the consumer group.');
  }
  if (given.bootstrapServers === undefined && options.clientProvided !== true) {
    throw invalid(
      'The configuration has no bootstrapServers.',
      'Set bootstrapServers to "host:port" (for example "127.0.0.1:9092"), or pass a client.',
    );
  }
  for (const [key, check] of Object.entries(schema) as [keyof StreamsConfig, Check][]) {
    const value = given[key];
    if (value === undefined) continue;
    const allowed = check(value);
    if (allowed !== undefined) {
      throw invalid(`Configuration key "${key}" has an invalid value ${describe(value)}.`, `Use ${allowed}.`);
    }
  }
  if (config.processingGuarantee === 'exactly_once_v2') {
    throw invalid(
      'processingGuarantee "exactly_once_v2" is not supported yet: it arrives later.',
      'Use "at_least_once" (the default) for now.',
    );
  }
  const bootstrapServers =
    config.bootstrapServers === undefined
      ? []
      : typeof config.bootstrapServers === 'string'
        ? config.bootstrapServers.split(',').map((s) => s.trim())
        : [...config.bootstrapServers];
  return {
    applicationId: config.applicationId,
    bootstrapServers,
    clientAdapter: config.clientAdapter ?? streamsConfigDefaults.clientAdapter,
    commitIntervalMs: config.commitIntervalMs ?? streamsConfigDefaults.commitIntervalMs,
    stateDir: config.stateDir ?? streamsConfigDefaults.stateDir,
    processingGuarantee: streamsConfigDefaults.processingGuarantee,
    errorHandling: { ...defaultErrorHandling, ...config.errorHandling },
    defaultKeySerde: config.defaultKeySerde ?? (bytesSerde() as Serde<unknown>),
    defaultValueSerde: config.defaultValueSerde ?? (bytesSerde() as Serde<unknown>),
    maxPollRecords: config.maxPollRecords ?? streamsConfigDefaults.maxPollRecords,
    maxTaskIdleMs: config.maxTaskIdleMs ?? streamsConfigDefaults.maxTaskIdleMs,
    bufferedRecordsPerPartition:
      config.bufferedRecordsPerPartition ?? streamsConfigDefaults.bufferedRecordsPerPartition,
    uncaughtErrorPolicy: config.uncaughtErrorPolicy ?? streamsConfigDefaults.uncaughtErrorPolicy,
    sessionTimeoutMs: config.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    fetchMaxBytes: config.fetchMaxBytes,
    lingerMs: config.lingerMs,
    cacheMaxBytesPerStore: config.cacheMaxBytesPerStore ?? streamsConfigDefaults.cacheMaxBytesPerStore,
    logger: config.logger ?? consoleLogger(),
    applicationServer: config.applicationServer,
    metricsRecordingLevel: config.metricsRecordingLevel ?? streamsConfigDefaults.metricsRecordingLevel,
  };
}

function invalid(message: string, hint: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** The known key nearest to `key` (case-insensitive edit distance), if it is near enough to be a typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

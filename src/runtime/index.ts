export type { FailureLocation } from './active-task.ts';
export type { HostInfo } from './application-server.ts';
export type { ErrorHandling, RecordErrorPolicy } from './error-policies.ts';
export { deadLetterHeaders, defaultErrorHandling, recordErrorPolicies } from './error-policies.ts';
export type {
  CloseOptions,
  KafkaStreamsOptions,
  StoreChangeEvent,
  UncaughtErrorContext,
  UncaughtErrorListener,
} from './kafka-streams.ts';
export { KafkaStreams } from './kafka-streams.ts';
export type { Logger } from './logger.ts';
export { consoleLogger, silentLogger } from './logger.ts';
export type { PositionedEntry, QueryableKeyValueStore, StoreRangeOptions } from './queryable-stores.ts';
export type { RuntimeCounters } from './runtime-counters.ts';
export type {
  MetricsRecordingLevel,
  ProcessingGuarantee,
  ResolvedStreamsConfig,
  StreamsConfig,
  UncaughtErrorPolicy,
} from './streams-config.ts';
export { processingGuarantees, streamsConfigDefaults, uncaughtErrorPolicies } from './streams-config.ts';
export type { KeyQueryMetadata, StreamsMetadata } from './streams-metadata.ts';
export type { StateListener, StreamsState } from './streams-state.ts';
export { allowedTransitions, streamsStates } from './streams-state.ts';

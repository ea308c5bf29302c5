/**
 * kstreams' public API. Everything a user needs is exported here by name; deep imports of internals are
 * not part of the contract.
 */

export type {
  Aggregator,
  Branched,
  BranchedKStream,
  BufferConfig,
  BuildOptions,
  Change,
  Consumed,
  ForeachAction,
  GlobalKTable,
  Grouped,
  Initializer,
  Joined,
  KeyValueMapper,
  KGroupedStream,
  KStream,
  KTable,
  Materialized,
  Merger,
  Named,
  Predicate,
  Produced,
  Reducer,
  Repartitioned,
  SessionWindowedKStream,
  StreamJoined,
  TimeWindowedKStream,
  ValueJoiner,
  ValueMapper,
} from './dsl/index.ts';
export {
  EmitStrategy,
  JoinWindows,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
} from './dsl/index.ts';
export type { ErrorCode, KStreamsErrorOptions } from './errors.ts';
export { errorCodes, isKStreamsError, KStreamsError } from './errors.ts';
export type { HttpServer, HttpServerOptions, RouteServer, ServeOptions } from './http/index.ts';
export { createHttpServer, serveInteractiveQueries } from './http/index.ts';
export type { AdapterName, KafkaClient } from './kafka/index.ts';
export { createKafkaClient } from './kafka/index.ts';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  RecordHeader,
  RecordOrigin,
  StreamRecord,
  TaskId,
  TimestampExtractor,
  TopologyDescription,
} from './processor/index.ts';
export { Topology } from './processor/index.ts';
export type { KeyFormat, StoreQueries, WaitCondition } from './query/index.ts';
export { AppStoreQueries } from './query/index.ts';
export type {
  CloseOptions,
  ErrorHandling,
  HostInfo,
  KafkaStreamsOptions,
  KeyQueryMetadata,
  Logger,
  MetricsRecordingLevel,
  QueryableKeyValueStore,
  StoreChangeEvent,
  StreamsConfig,
  StreamsMetadata,
  StreamsState,
  UncaughtErrorPolicy,
} from './runtime/index.ts';
export { consoleLogger, KafkaStreams } from './runtime/index.ts';
export type { Deserializer, Serde, Serializer } from './serdes/index.ts';
export { Serdes, WindowedSerdes } from './serdes/index.ts';
export type {
  KeyValue,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  Session,
  SessionStore,
  StateStore,
  StoreBuilder,
  Windowed,
  WindowStore,
} from './state/index.ts';
export { inMemoryKeyValueStore, Stores } from './state/index.ts';

export type { OutputKeyValue, OutputRecord, TestRecord } from './testing/index.ts';
export { TopologyTestDriver } from './testing/index.ts';

export { JoinWindows } from './join-windows.ts';
export type {
  Consumed,
  Grouped,
  Joined,
  KeyValueStoreFactory,
  Materialized,
  Named,
  Produced,
  Repartitioned,
  StreamJoined,
} from './options.ts';
export type { BuildOptions } from './streams-builder.ts';
export { StreamsBuilder } from './streams-builder.ts';
export type {
  Aggregator,
  Branched,
  BranchedKStream,
  Change,
  ForeachAction,
  GlobalKTable,
  Initializer,
  KeyValue,
  KeyValueMapper,
  KGroupedStream,
  KStream,
  KTable,
  Merger,
  Predicate,
  Reducer,
  SessionWindowedKStream,
  TimeWindowedKStream,
  ValueJoiner,
  ValueMapper,
} from './types.ts';
export { EmitStrategy } from './windows/emit-strategy.ts';
export { SessionWindows } from './windows/session-windows.ts';
export { SlidingWindows } from './windows/sliding-windows.ts';
export { type BufferConfig, Suppressed } from './windows/suppressed.ts';
export { TimeWindows } from './windows/time-windows.ts';

export type {
  Consumed,
  Grouped,
  KeyValueStoreFactory,
  Materialized,
  Named,
  Produced,
  Repartitioned,
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
  Predicate,
  Reducer,
  ValueMapper,
} from './types.ts';

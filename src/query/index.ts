export { AppStoreQueries, type AppStoreQueriesOptions, detectKeyFormat } from './app-store-queries.ts';
export { KeyWaiters, type WaitOutcome } from './key-waiters.ts';
export type {
  HostAddress,
  KeyFormat,
  KeyLookup,
  KeyOwner,
  KeyValueEntry,
  QueryableStoreInfo,
  RangeQuery,
  StoreChange,
  StoreKind,
  StoreQueries,
  WindowEntry,
} from './store-queries.ts';
export { parseWaitCondition, type WaitCondition } from './wait-condition.ts';

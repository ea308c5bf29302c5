export type { BytesEntry, BytesRange, BytesStore, BytesWrite } from './bytes-store.ts';
export type { MeteredKeyValueStore } from './key-value/metered-key-value-store.ts';
export type { KeyValueBytesStoreSupplier } from './key-value-bytes-store-supplier.ts';
export type { FlushListener, KeyValue, KeyValueStore, ReadOnlyKeyValueStore } from './key-value-store.ts';
export { type CachingOptions, KeyValueStoreBuilder } from './key-value-store-builder.ts';
export { InMemoryBytesStore } from './memory/in-memory-bytes-store.ts';
export { InMemoryKeyValueStore, inMemoryKeyValueStore } from './memory/in-memory-key-value-store.ts';
export { openTaskBytesStore } from './open-task-bytes-store.ts';
export type { MeteredSessionStore } from './session/metered-session-store.ts';
export type { SessionBytesStoreSupplier, SessionStoreOptions } from './session/session-bytes-store-supplier.ts';
export type {
  ReadOnlySessionStore,
  Session,
  SessionEntry,
  SessionFlushListener,
  SessionStore,
} from './session/session-store.ts';
export { SessionStoreBuilder } from './session/session-store-builder.ts';
export type { StateStore, StoreBuilder } from './state-store.ts';
export type { ChangelogSink, RecordSource, StoreContext, StoreRecordContext } from './store-context.ts';
export type { StoreMetrics, StoreOperation } from './store-metrics.ts';
export { Stores } from './stores.ts';
export type { MeteredWindowStore } from './window/metered-window-store.ts';
export type { WindowBytesStoreSupplier, WindowStoreOptions } from './window/window-bytes-store-supplier.ts';
export type {
  ReadOnlyWindowStore,
  TimeWindow,
  Windowed,
  WindowedEntry,
  WindowFlushListener,
  WindowStore,
  WindowValue,
} from './window/window-store.ts';
export { WindowStoreBuilder } from './window/window-store-builder.ts';

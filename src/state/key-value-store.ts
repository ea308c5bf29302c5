import type { StateStore } from './state-store.ts';

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Read access, shared by processors and (later) interactive queries. Iteration is in serialized-key order. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  /** Entries with from <= key < to (by serialized key bytes); either bound may be omitted. */
  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>>;
  reverseRange(from?: K, to?: K): IterableIterator<KeyValue<K, V>>;
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan(prefix: K): IterableIterator<KeyValue<K, V>>;
  all(): IterableIterator<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

/**
 * A KTable update forwarded by a caching store at flush: the key's newest value (null: deleted) and the value
 * it had before its first update since the last flush; `timestamp` is that of the key's last update.
 */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** A keyed store (Kafka Streams' KeyValueStore). Writes are synchronous; durability comes at commit. */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V): void;
  /** Writes only when the key is absent; returns the value already there, if any. */
  putIfAbsent(key: K, value: V): V | undefined;
  /** Removes the key; returns the value it had. */
  delete(key: K): V | undefined;
  /**
   * Registers the KTable forwarder. Returns true when the store caches and will call `listener` once per
   * changed key at flush; false (or absent) when the caller must forward each update itself.
   */
  setFlushListener?(listener: FlushListener<K, V>): boolean;
}

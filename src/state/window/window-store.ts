import type { TimeWindow, Windowed } from '../../serdes/windowed.ts';
import type { StateStore } from '../state-store.ts';

// One Windowed type for stores, serdes and the DSL: it lives in serdes, the lowest layer that needs it.
export type { TimeWindow, Windowed };

/** One value of a key's window, as `fetch(key, timeFrom, timeTo)` returns it. */
export interface WindowValue<V> {
  readonly windowStart: number;
  readonly value: V;
}

/** One value of any key's window, as `fetchAll` and `all` return it. */
export interface WindowedEntry<K, V> {
  readonly key: K;
  readonly window: TimeWindow;
  readonly value: V;
}

/** Called at flush by a caching window store, once per changed window (see FlushListener). */
export type WindowFlushListener<K, V> = (
  windowed: Windowed<K>,
  newValue: V | null,
  oldValue: V | null,
  timestamp: number,
) => void;

/**
 * Read access to a window store. Time bounds are inclusive and select windows by start time, as in Kafka
 * Streams; windows that retention has expired are never returned. Scans over one key run in time order.
 * Scans over all keys run in the byte order of the windowed key (serialized key, then start): key order,
 * then time order, except that a key whose bytes prefix another's may interleave with it.
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key`'s window starting at `windowStart` (with duplicates: the first one stored). */
  fetch(key: K, windowStart: number): V | undefined;
  /** `key`'s windows with timeFrom <= start <= timeTo, oldest first. */
  fetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>>;
  /** The same windows, newest first. */
  backwardFetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>>;
  /**
   * Every key's windows with timeFrom <= start <= timeTo. Scans every live window and filters by time:
   * cost grows with the store, not with the answer (see WindowStoreBuilder).
   */
  fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>>;
  backwardFetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>>;
  all(): IterableIterator<WindowedEntry<K, V>>;
  backwardAll(): IterableIterator<WindowedEntry<K, V>>;
}

/**
 * A windowed store (Kafka Streams' WindowStore): values by key and window start, kept for a retention
 * period measured in stream time (the largest window start written), never the wall clock.
 */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** The window size: each window ends at `start + windowSizeMs`. */
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  /**
   * Stores `value` for `key`'s window at `windowStart`; a null value deletes it. With duplicates, every
   * value is kept beside the others (in put order) and a null value is ignored, as in Kafka Streams.
   * A window already expired by stream time is dropped silently. Throws INVALID_TIMESTAMP for a negative
   * or fractional start.
   */
  put(key: K, value: V | null, windowStart: number): void;
  /**
   * Registers the forwarder of windowed aggregations. Returns true when the store caches and will call
   * `listener` once per changed window at flush; false when the caller must forward each update itself.
   */
  setFlushListener(listener: WindowFlushListener<K, V>): boolean;
}

import type { BytesEntry } from '../bytes-store.ts';
import { MeteredStore, type MeteredStoreOptions } from '../internals/metered-store.ts';
import { keyEntries, liveTimeBounds, type TimeBounds } from './segmented-key-scan.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';
import { assertQueryTime, assertStoreTime } from './time-bytes.ts';
import type { WindowKeySchema } from './window-key-schema.ts';
import type { WindowedEntry, WindowFlushListener, WindowStore, WindowValue } from './window-store.ts';

/** `inner` is the top bytes layer (caching, change-logging or segments) over windowed keys. */
export interface MeteredWindowStoreOptions<K, V> extends MeteredStoreOptions<K, V> {
  readonly schema: WindowKeySchema;
  readonly state: SegmentedStoreState;
  readonly windowSizeMs: number;
}

/**
 * The outer layer of a window store and the only one that knows types and windows: it turns (key, window
 * start) into windowed bytes keys for the key-value layers below, advances stream time on every put, and
 * hides windows that retention has expired (they may still sit in a cache until the next flush).
 */
export class MeteredWindowStore<K, V> extends MeteredStore<K, V> implements WindowStore<K, V> {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  readonly #schema: WindowKeySchema;
  readonly #state: SegmentedStoreState;

  constructor(options: MeteredWindowStoreOptions<K, V>) {
    super(options);
    this.windowSizeMs = options.windowSizeMs;
    this.retentionMs = options.state.retentionMs;
    this.retainDuplicates = options.schema.retainDuplicates;
    this.#schema = options.schema;
    this.#state = options.state;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.timer.time('put', () => {
      assertStoreTime(this.name, 'window start', windowStart);
      const keyBytes = this.serdes.keyBytes(key);
      const valueBytes = this.serdes.valueBytes(value);
      if (valueBytes === null && this.retainDuplicates) return;
      this.#state.observe(windowStart);
      if (this.#state.isExpired(windowStart)) return;
      if (this.retainDuplicates) {
        const stored = this.#schema.toStoreKey(keyBytes, windowStart, this.#state.nextSequence());
        this.inner.put(stored, valueBytes, this.currentRecord());
        return;
      }
      const stored = this.#schema.toStoreKey(keyBytes, windowStart);
      // Deleting a window that is not there changes nothing, so nothing is logged.
      if (valueBytes === null && this.inner.get(stored) === undefined) return;
      this.inner.put(stored, valueBytes, this.currentRecord());
    });
  }

  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>>;
  fetch(key: K, timeFrom: number, timeTo?: number): V | undefined | IterableIterator<WindowValue<V>> {
    if (timeTo === undefined) return this.#fetchWindow(key, timeFrom);
    return this.timer.time('range', () => this.#fetchKey(key, timeFrom, timeTo, false));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>> {
    return this.timer.time('range', () => this.#fetchKey(key, timeFrom, timeTo, true));
  }

  fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>> {
    return this.timer.time('range', () => this.#scanAll(this.#bounds(timeFrom, timeTo), false));
  }

  backwardFetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>> {
    return this.timer.time('range', () => this.#scanAll(this.#bounds(timeFrom, timeTo), true));
  }

  all(): IterableIterator<WindowedEntry<K, V>> {
    return this.timer.time('range', () => this.#scanAll(this.#bounds(0, Number.POSITIVE_INFINITY), false));
  }

  backwardAll(): IterableIterator<WindowedEntry<K, V>> {
    return this.timer.time('range', () => this.#scanAll(this.#bounds(0, Number.POSITIVE_INFINITY), true));
  }

  setFlushListener(listener: WindowFlushListener<K, V>): boolean {
    return this.inner.setFlushListener((key, newValue, oldValue, record) => {
      const start = this.#schema.timeOf(key);
      const windowed = {
        key: this.serdes.keyOf(this.#schema.recordKey(key)),
        window: { start, end: start + this.windowSizeMs },
      };
      this.forwardFlushed(record, () =>
        listener(windowed, this.serdes.valueOrNull(newValue), this.serdes.valueOrNull(oldValue), record.timestamp),
      );
    });
  }

  #fetchWindow(key: K, windowStart: number): V | undefined {
    return this.timer.time('get', () => {
      const bounds = this.#bounds(windowStart, windowStart);
      if (bounds === undefined || bounds.from !== windowStart) return undefined;
      const keyBytes = this.serdes.keyBytes(key);
      if (!this.retainDuplicates) {
        const value = this.inner.get(this.#schema.toStoreKey(keyBytes, windowStart));
        return value === undefined ? undefined : this.serdes.valueOf(value);
      }
      for (const found of this.#fetchKey(key, windowStart, windowStart, false)) return found.value;
      return undefined;
    });
  }

  /** Validates and serializes eagerly, so a bad argument throws at the call, not at the first read. */
  #fetchKey(key: K, timeFrom: number, timeTo: number, reverse: boolean): IterableIterator<WindowValue<V>> {
    const bounds = this.#bounds(timeFrom, timeTo);
    const keyBytes = this.serdes.keyBytes(key);
    return bounds === undefined ? [][Symbol.iterator]() : this.#keyWindows(keyBytes, bounds, reverse);
  }

  *#keyWindows(keyBytes: Buffer, bounds: TimeBounds, reverse: boolean): Generator<WindowValue<V>> {
    for (const entry of keyEntries(this.inner, this.#schema, keyBytes, bounds, reverse)) {
      const windowStart = this.#schema.timeOf(entry.key);
      if (this.#state.isExpired(windowStart)) continue;
      yield { windowStart, value: this.serdes.valueOf(entry.value) };
    }
  }

  *#scanAll(bounds: TimeBounds | undefined, reverse: boolean): Generator<WindowedEntry<K, V>> {
    if (bounds === undefined) return;
    for (const entry of this.inner.range({ reverse })) {
      const start = this.#schema.timeOf(entry.key);
      if (start < bounds.from || start > bounds.to || this.#state.isExpired(start)) continue;
      yield this.#entry(entry, start);
    }
  }

  #entry(entry: BytesEntry, start: number): WindowedEntry<K, V> {
    return {
      key: this.serdes.keyOf(this.#schema.recordKey(entry.key)),
      window: { start, end: start + this.windowSizeMs },
      value: this.serdes.valueOf(entry.value),
    };
  }

  /** The inclusive bounds clamped to live, stored times; undefined when nothing can match. */
  #bounds(timeFrom: number, timeTo: number): TimeBounds | undefined {
    assertQueryTime(this.name, 'lower time bound', timeFrom);
    assertQueryTime(this.name, 'upper time bound', timeTo);
    return liveTimeBounds(this.#state, timeFrom, timeTo);
  }
}

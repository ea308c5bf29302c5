import type { BytesEntry, BytesWrite } from '../bytes-store.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { StoreMetrics } from '../store-metrics.ts';
import { OperationTimer } from './operation-timer.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';
import type { StoreSerdes } from './store-serdes.ts';
import { assertQueryTime, assertStoreTime } from './time-bytes.ts';
import type { WindowKeySchema } from './window-key-schema.ts';
import type { WindowedEntry, WindowFlushListener, WindowStore, WindowValue } from './window-store.ts';

export interface MeteredWindowStoreOptions<K, V> {
  /** The top bytes layer: caching, change-logging or segments, over windowed keys. */
  readonly inner: KeyValueBytesLayer;
  readonly schema: WindowKeySchema;
  readonly state: SegmentedStoreState;
  readonly windowSizeMs: number;
  readonly serdes: StoreSerdes<K, V>;
  readonly recordContext?: () => StoreRecordContext | undefined;
  /** Told the record context of each update forwarded at flush (StoreContext.forwarding). */
  readonly forwarding?: (record: StoreRecordContext | undefined) => void;
  readonly metrics?: StoreMetrics;
}

interface TimeBounds {
  readonly from: number;
  readonly to: number;
}

/**
 * The outer layer of a window store and the only one that knows types and windows: it turns (key, window
 * start) into windowed bytes keys for the key-value layers below, advances stream time on every put, and
 * hides windows that retention has expired (they may still sit in a cache until the next flush).
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  readonly #inner: KeyValueBytesLayer;
  readonly #schema: WindowKeySchema;
  readonly #state: SegmentedStoreState;
  readonly #serdes: StoreSerdes<K, V>;
  readonly #recordContext: (() => StoreRecordContext | undefined) | undefined;
  readonly #forwarding: ((record: StoreRecordContext | undefined) => void) | undefined;
  readonly #timer: OperationTimer;

  constructor(options: MeteredWindowStoreOptions<K, V>) {
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
    this.windowSizeMs = options.windowSizeMs;
    this.retentionMs = options.state.retentionMs;
    this.retainDuplicates = options.schema.retainDuplicates;
    this.#inner = options.inner;
    this.#schema = options.schema;
    this.#state = options.state;
    this.#serdes = options.serdes;
    this.#recordContext = options.recordContext;
    this.#forwarding = options.forwarding;
    this.#timer = new OperationTimer(this.name, options.metrics);
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.#timer.time('put', () => {
      assertStoreTime(this.name, 'window start', windowStart);
      const keyBytes = this.#serdes.keyBytes(key);
      const valueBytes = this.#serdes.valueBytes(value);
      if (valueBytes === null && this.retainDuplicates) return;
      this.#state.observe(windowStart);
      if (this.#state.isExpired(windowStart)) return;
      if (this.retainDuplicates) {
        const stored = this.#schema.toStoreKey(keyBytes, windowStart, this.#state.nextSequence());
        this.#inner.put(stored, valueBytes, this.#currentRecord());
        return;
      }
      const stored = this.#schema.toStoreKey(keyBytes, windowStart);
      // Deleting a window that is not there changes nothing, so nothing is logged.
      if (valueBytes === null && this.#inner.get(stored) === undefined) return;
      this.#inner.put(stored, valueBytes, this.#currentRecord());
    });
  }

  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>>;
  fetch(key: K, timeFrom: number, timeTo?: number): V | undefined | IterableIterator<WindowValue<V>> {
    if (timeTo === undefined) return this.#fetchWindow(key, timeFrom);
    return this.#timer.time('range', () => this.#fetchKey(key, timeFrom, timeTo, false));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowValue<V>> {
    return this.#timer.time('range', () => this.#fetchKey(key, timeFrom, timeTo, true));
  }

  fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>> {
    return this.#timer.time('range', () => this.#scanAll(this.#bounds(timeFrom, timeTo), false));
  }

  backwardFetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedEntry<K, V>> {
    return this.#timer.time('range', () => this.#scanAll(this.#bounds(timeFrom, timeTo), true));
  }

  all(): IterableIterator<WindowedEntry<K, V>> {
    return this.#timer.time('range', () => this.#scanAll(this.#bounds(0, Number.POSITIVE_INFINITY), false));
  }

  backwardAll(): IterableIterator<WindowedEntry<K, V>> {
    return this.#timer.time('range', () => this.#scanAll(this.#bounds(0, Number.POSITIVE_INFINITY), true));
  }

  setFlushListener(listener: WindowFlushListener<K, V>): boolean {
    const forwarding = this.#forwarding;
    return this.#inner.setFlushListener((key, newValue, oldValue, record) => {
      const start = this.#schema.timeOf(key);
      const windowed = {
        key: this.#serdes.keyOf(this.#schema.recordKey(key)),
        window: { start, end: start + this.windowSizeMs },
      };
      forwarding?.(record);
      try {
        listener(windowed, this.#serdes.valueOrNull(newValue), this.#serdes.valueOrNull(oldValue), record.timestamp);
      } finally {
        forwarding?.(undefined);
      }
    });
  }

  flush(): void {
    this.#timer.time('flush', () => this.#inner.flush());
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#timer.timeAsync('persist', () => this.#inner.persist(changelogOffset));
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  /** Restores changelog records, whose keys are windowed bytes keys. */
  restore(batch: readonly BytesWrite[], changelogOffset: number): Promise<void> {
    return this.#timer.timeAsync('restore', () => this.#inner.restore(batch, changelogOffset));
  }

  wipe(): Promise<void> {
    return this.#inner.wipe();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #fetchWindow(key: K, windowStart: number): V | undefined {
    return this.#timer.time('get', () => {
      const bounds = this.#bounds(windowStart, windowStart);
      if (bounds === undefined || bounds.from !== windowStart) return undefined;
      const keyBytes = this.#serdes.keyBytes(key);
      if (!this.retainDuplicates) {
        const value = this.#inner.get(this.#schema.toStoreKey(keyBytes, windowStart));
        return value === undefined ? undefined : this.#serdes.valueOf(value);
      }
      for (const found of this.#fetchKey(key, windowStart, windowStart, false)) return found.value;
      return undefined;
    });
  }

  /** Validates and serializes eagerly, so a bad argument throws at the call, not at the first read. */
  #fetchKey(key: K, timeFrom: number, timeTo: number, reverse: boolean): IterableIterator<WindowValue<V>> {
    const bounds = this.#bounds(timeFrom, timeTo);
    const keyBytes = this.#serdes.keyBytes(key);
    return bounds === undefined ? [][Symbol.iterator]() : this.#keyWindows(keyBytes, bounds, reverse);
  }

  *#keyWindows(keyBytes: Buffer, bounds: TimeBounds, reverse: boolean): Generator<WindowValue<V>> {
    const scan = this.#inner.range({
      from: this.#schema.lowerBound(keyBytes, bounds.from),
      to: this.#schema.upperBound(keyBytes, bounds.to),
      reverse,
    });
    for (const entry of scan) {
      if (!this.#schema.isKeyOf(entry.key, keyBytes)) continue;
      const windowStart = this.#schema.timeOf(entry.key);
      if (this.#state.isExpired(windowStart)) continue;
      yield { windowStart, value: this.#serdes.valueOf(entry.value) };
    }
  }

  *#scanAll(bounds: TimeBounds | undefined, reverse: boolean): Generator<WindowedEntry<K, V>> {
    if (bounds === undefined) return;
    for (const entry of this.#inner.range({ reverse })) {
      const start = this.#schema.timeOf(entry.key);
      if (start < bounds.from || start > bounds.to || this.#state.isExpired(start)) continue;
      yield this.#entry(entry, start);
    }
  }

  #entry(entry: BytesEntry, start: number): WindowedEntry<K, V> {
    return {
      key: this.#serdes.keyOf(this.#schema.recordKey(entry.key)),
      window: { start, end: start + this.windowSizeMs },
      value: this.#serdes.valueOf(entry.value),
    };
  }

  /** The inclusive bounds clamped to live, stored times; undefined when nothing can match. */
  #bounds(timeFrom: number, timeTo: number): TimeBounds | undefined {
    assertQueryTime(this.name, 'lower time bound', timeFrom);
    assertQueryTime(this.name, 'upper time bound', timeTo);
    const from = Math.max(Math.ceil(timeFrom), this.#state.lowestLiveTime());
    const to = Math.min(Math.floor(timeTo), this.#state.streamTime);
    return to < from ? undefined : { from, to };
  }

  #currentRecord(): StoreRecordContext {
    return this.#recordContext?.() ?? { timestamp: Date.now() };
  }
}

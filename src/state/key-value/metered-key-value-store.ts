import type { BytesEntry } from '../bytes-store.ts';
import { MeteredStore, type MeteredStoreOptions } from '../internals/metered-store.ts';
import type { FlushListener, KeyValue, KeyValueStore } from '../key-value-store.ts';
import type { StoreChangeListener } from '../store-context.ts';
import { prefixRange } from './merge-overlay.ts';

export interface MeteredKeyValueStoreOptions<K, V> extends MeteredStoreOptions<K, V> {
  readonly onChange?: StoreChangeListener | undefined;
}

/**
 * The outer layer and the only one that knows types: serializes keys and values for the bytes layers
 * below (so scans run in serialized-key order), stamps each change with the record being processed, and
 * times operations when metrics are given. Serde failures surface as KStreamsError naming the store.
 */
export class MeteredKeyValueStore<K, V> extends MeteredStore<K, V> implements KeyValueStore<K, V> {
  readonly #onChange: StoreChangeListener | undefined;

  constructor(options: MeteredKeyValueStoreOptions<K, V>) {
    super(options);
    this.#onChange = options.onChange;
  }

  /** The key's bytes as stored (the order of scans, and the partitioner's input for the store's topic). */
  keyBytes(key: K): Buffer {
    return this.serdes.keyBytes(key);
  }

  /** The key stored as `bytes`. */
  keyOf(bytes: Buffer): K {
    return this.serdes.keyOf(bytes);
  }

  get(key: K): V | undefined {
    return this.timer.time('get', () => this.serdes.valueOrUndefined(this.inner.get(this.serdes.keyBytes(key))));
  }

  /** A null or undefined value deletes the key, as a tombstone does. */
  put(key: K, value: V): void {
    this.timer.time('put', () => {
      const keyBytes = this.serdes.keyBytes(key);
      const valueBytes = this.serdes.valueBytes(value);
      if (valueBytes === null) this.#deleteBytes(keyBytes);
      else this.inner.put(keyBytes, valueBytes, this.currentRecord());
      this.#onChange?.(this.name, key, valueBytes === null ? null : value);
    });
  }

  putIfAbsent(key: K, value: V): V | undefined {
    return this.timer.time('putIfAbsent', () => {
      const keyBytes = this.serdes.keyBytes(key);
      const existing = this.serdes.valueOrUndefined(this.inner.get(keyBytes));
      if (existing !== undefined) return existing;
      const valueBytes = this.serdes.valueBytes(value);
      if (valueBytes !== null) {
        this.inner.put(keyBytes, valueBytes, this.currentRecord());
        this.#onChange?.(this.name, key, value);
      }
      return undefined;
    });
  }

  delete(key: K): V | undefined {
    return this.timer.time('delete', () => {
      const existing = this.#deleteBytes(this.serdes.keyBytes(key));
      if (existing !== undefined) this.#onChange?.(this.name, key, null);
      return this.serdes.valueOrUndefined(existing);
    });
  }

  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    return this.timer.time('range', () => this.#typed(this.inner.range(this.#bounds(from, to, false))));
  }

  reverseRange(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    return this.timer.time('range', () => this.#typed(this.inner.range(this.#bounds(from, to, true))));
  }

  prefixScan(prefix: K): IterableIterator<KeyValue<K, V>> {
    return this.timer.time('prefixScan', () =>
      this.#typed(this.inner.range(prefixRange(this.serdes.keyBytes(prefix)))),
    );
  }

  all(): IterableIterator<KeyValue<K, V>> {
    return this.timer.time('range', () => this.#typed(this.inner.range()));
  }

  approximateNumEntries(): number {
    return this.inner.approximateCount();
  }

  setFlushListener(listener: FlushListener<K, V>): boolean {
    return this.inner.setFlushListener((key, newValue, oldValue, record) => {
      this.forwardFlushed(record, () =>
        listener(this.serdes.keyOf(key), this.#valueOrNull(newValue), this.#valueOrNull(oldValue), record.timestamp),
      );
    });
  }

  /** Returns the bytes the key had, after deleting it; a key that is absent is left alone (nothing to log). */
  #deleteBytes(keyBytes: Buffer): Buffer | undefined {
    const existing = this.inner.get(keyBytes);
    if (existing !== undefined) this.inner.put(keyBytes, null, this.currentRecord());
    return existing;
  }

  #bounds(from: K | undefined, to: K | undefined, reverse: boolean) {
    return {
      from: from === undefined ? undefined : this.serdes.keyBytes(from),
      to: to === undefined ? undefined : this.serdes.keyBytes(to),
      reverse,
    };
  }

  *#typed(entries: IterableIterator<BytesEntry>): Generator<KeyValue<K, V>> {
    for (const entry of entries) {
      yield { key: this.serdes.keyOf(entry.key), value: this.serdes.valueOrUndefined(entry.value) as V };
    }
  }

  #valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : (this.serdes.valueOrUndefined(bytes) ?? null);
  }
}

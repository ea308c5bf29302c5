import { isKStreamsError, KStreamsError, reasonOf } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { BytesEntry, BytesWrite } from '../bytes-store.ts';
import type { FlushListener, KeyValue, KeyValueStore } from '../key-value-store.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { StoreMetrics, StoreOperation } from '../store-metrics.ts';
import type { KeyValueBytesLayer } from './key-value-bytes-layer.ts';
import { prefixRange } from './merge-overlay.ts';

export interface MeteredKeyValueStoreOptions<K, V> {
  readonly inner: KeyValueBytesLayer;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** The topic name given to the serdes: the changelog topic, as in Kafka Streams. */
  readonly serdeTopic: string;
  readonly recordContext?: () => StoreRecordContext | undefined;
  /** Told the record context of each update forwarded at flush (StoreContext.forwarding). */
  readonly forwarding?: (record: StoreRecordContext | undefined) => void;
  readonly metrics?: StoreMetrics;
}

/**
 * The outer layer and the only one that knows types: serializes keys and values for the bytes layers
 * below (so scans run in serialized-key order), stamps each change with the record being processed, and
 * times operations when metrics are given. Serde failures surface as KStreamsError naming the store.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: KeyValueBytesLayer;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #recordContext: (() => StoreRecordContext | undefined) | undefined;
  readonly #forwarding: ((record: StoreRecordContext | undefined) => void) | undefined;
  readonly #metrics: StoreMetrics | undefined;

  constructor(options: MeteredKeyValueStoreOptions<K, V>) {
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
    this.#inner = options.inner;
    this.#keySerde = options.keySerde;
    this.#valueSerde = options.valueSerde;
    this.#topic = options.serdeTopic;
    this.#recordContext = options.recordContext;
    this.#forwarding = options.forwarding;
    this.#metrics = options.metrics;
  }

  get(key: K): V | undefined {
    return this.#measure('get', () => this.#valueOf(this.#inner.get(this.#keyBytes(key))));
  }

  /** A null or undefined value deletes the key, as a tombstone does. */
  put(key: K, value: V): void {
    this.#measure('put', () => {
      const keyBytes = this.#keyBytes(key);
      const valueBytes = this.#valueBytes(value);
      if (valueBytes === null) this.#deleteBytes(keyBytes);
      else this.#inner.put(keyBytes, valueBytes, this.#currentRecord());
    });
  }

  putIfAbsent(key: K, value: V): V | undefined {
    return this.#measure('putIfAbsent', () => {
      const keyBytes = this.#keyBytes(key);
      const existing = this.#valueOf(this.#inner.get(keyBytes));
      if (existing !== undefined) return existing;
      const valueBytes = this.#valueBytes(value);
      if (valueBytes !== null) this.#inner.put(keyBytes, valueBytes, this.#currentRecord());
      return undefined;
    });
  }

  delete(key: K): V | undefined {
    return this.#measure('delete', () => this.#valueOf(this.#deleteBytes(this.#keyBytes(key))));
  }

  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    return this.#measure('range', () => this.#typed(this.#inner.range(this.#bounds(from, to, false))));
  }

  reverseRange(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    return this.#measure('range', () => this.#typed(this.#inner.range(this.#bounds(from, to, true))));
  }

  prefixScan(prefix: K): IterableIterator<KeyValue<K, V>> {
    return this.#measure('prefixScan', () => this.#typed(this.#inner.range(prefixRange(this.#keyBytes(prefix)))));
  }

  all(): IterableIterator<KeyValue<K, V>> {
    return this.#measure('range', () => this.#typed(this.#inner.range()));
  }

  approximateNumEntries(): number {
    return this.#inner.approximateCount();
  }

  setFlushListener(listener: FlushListener<K, V>): boolean {
    const forwarding = this.#forwarding;
    return this.#inner.setFlushListener((key, newValue, oldValue, record) => {
      forwarding?.(record);
      try {
        listener(this.#keyOf(key), this.#valueOrNull(newValue), this.#valueOrNull(oldValue), record.timestamp);
      } finally {
        forwarding?.(undefined);
      }
    });
  }

  flush(): void {
    this.#measure('flush', () => this.#inner.flush());
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#measureAsync('persist', () => this.#inner.persist(changelogOffset));
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  restore(batch: readonly BytesWrite[], changelogOffset: number): Promise<void> {
    return this.#measureAsync('restore', () => this.#inner.restore(batch, changelogOffset));
  }

  wipe(): Promise<void> {
    return this.#inner.wipe();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Returns the bytes the key had, after deleting it; a key that is absent is left alone (nothing to log). */
  #deleteBytes(keyBytes: Buffer): Buffer | undefined {
    const existing = this.#inner.get(keyBytes);
    if (existing !== undefined) this.#inner.put(keyBytes, null, this.#currentRecord());
    return existing;
  }

  #currentRecord(): StoreRecordContext {
    return this.#recordContext?.() ?? { timestamp: Date.now() };
  }

  #bounds(from: K | undefined, to: K | undefined, reverse: boolean) {
    return {
      from: from === undefined ? undefined : this.#keyBytes(from),
      to: to === undefined ? undefined : this.#keyBytes(to),
      reverse,
    };
  }

  *#typed(entries: IterableIterator<BytesEntry>): Generator<KeyValue<K, V>> {
    for (const entry of entries) yield { key: this.#keyOf(entry.key), value: this.#valueOf(entry.value) as V };
  }

  #keyBytes(key: K): Buffer {
    const bytes = this.#serde('key', 'serialize', () => this.#keySerde.serialize(this.#topic, key));
    if (bytes === null) {
      throw new KStreamsError('SERDE_SERIALIZATION_FAILED', `Store "${this.name}" was given a null key.`, {
        hint: 'Drop or re-key records with null keys before they reach a key-value store.',
      });
    }
    return bytes;
  }

  #valueBytes(value: V): Buffer | null {
    if (value === null || value === undefined) return null;
    return this.#serde('value', 'serialize', () => this.#valueSerde.serialize(this.#topic, value));
  }

  #keyOf(bytes: Buffer): K {
    const key = this.#serde('key', 'deserialize', () => this.#keySerde.deserialize(this.#topic, bytes));
    if (key === null) {
      throw new KStreamsError(
        'SERDE_DESERIALIZATION_FAILED',
        `The key serde of store "${this.name}" read a null key.`,
        {
          hint: 'Configure a key serde for this store that reads back the keys it writes.',
        },
      );
    }
    return key;
  }

  #valueOf(bytes: Buffer | undefined): V | undefined {
    if (bytes === undefined) return undefined;
    return this.#serde('value', 'deserialize', () => this.#valueSerde.deserialize(this.#topic, bytes)) ?? undefined;
  }

  #valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : (this.#valueOf(bytes) ?? null);
  }

  /** Runs a serde call; a failure that is not already a KStreamsError is wrapped in one naming the store. */
  #serde<T>(what: 'key' | 'value', direction: 'serialize' | 'deserialize', call: () => T): T {
    try {
      return call();
    } catch (error) {
      if (isKStreamsError(error)) throw error;
      throw new KStreamsError(
        direction === 'serialize' ? 'SERDE_SERIALIZATION_FAILED' : 'SERDE_DESERIALIZATION_FAILED',
        `The ${what} serde of store "${this.name}" failed to ${direction}: ${reasonOf(error)}.`,
        {
          hint: `Check the ${what} serde given to the store "${this.name}" (or the application's default ${what} serde).`,
          cause: error,
        },
      );
    }
  }

  #measure<T>(operation: StoreOperation, run: () => T): T {
    if (this.#metrics === undefined) return run();
    const started = process.hrtime.bigint();
    try {
      return run();
    } finally {
      this.#metrics.recordOperation(this.name, operation, Number(process.hrtime.bigint() - started));
    }
  }

  async #measureAsync(operation: StoreOperation, run: () => Promise<void>): Promise<void> {
    if (this.#metrics === undefined) return run();
    const started = process.hrtime.bigint();
    try {
      await run();
    } finally {
      this.#metrics.recordOperation(this.name, operation, Number(process.hrtime.bigint() - started));
    }
  }
}

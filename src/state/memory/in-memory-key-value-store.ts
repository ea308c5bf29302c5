import type { Serde } from '../../serdes/serde.ts';
import type { KeyValue, KeyValueStore } from '../key-value-store.ts';
import type { StoreBuilder } from '../state-store.ts';

/**
 * A key-value store held in memory, ordered by serialized key bytes like the persistent one, so range
 * scans give the same answers in unit tests as in production. Not durable: for tests and small lookups.
 */
export class InMemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly name: string;
  readonly persistent = false;
  readonly #keySerde: Serde<K>;
  // Hex of the serialized key sorts like the bytes do; the entry keeps the typed key and value.
  readonly #entries = new Map<string, { key: K; value: V }>();
  #sorted: string[] | undefined;

  constructor(name: string, keySerde: Serde<K>) {
    this.name = name;
    this.#keySerde = keySerde;
  }

  get(key: K): V | undefined {
    return this.#entries.get(this.#id(key))?.value;
  }

  put(key: K, value: V): void {
    const id = this.#id(key);
    if (value === null || value === undefined) {
      this.delete(key);
      return;
    }
    if (!this.#entries.has(id)) this.#sorted = undefined;
    this.#entries.set(id, { key, value });
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value);
    return existing;
  }

  delete(key: K): V | undefined {
    const id = this.#id(key);
    const existing = this.#entries.get(id);
    if (existing !== undefined) {
      this.#entries.delete(id);
      this.#sorted = undefined;
    }
    return existing?.value;
  }

  *range(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    const low = from === undefined ? undefined : this.#id(from);
    const high = to === undefined ? undefined : this.#id(to);
    for (const id of this.#ids()) {
      if ((low === undefined || id >= low) && (high === undefined || id < high)) yield this.#entry(id);
    }
  }

  *reverseRange(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    const inRange = [...this.range(from, to)];
    for (let i = inRange.length - 1; i >= 0; i--) yield inRange[i]!;
  }

  *prefixScan(prefix: K): IterableIterator<KeyValue<K, V>> {
    const start = this.#id(prefix);
    for (const id of this.#ids()) if (id.startsWith(start)) yield this.#entry(id);
  }

  all(): IterableIterator<KeyValue<K, V>> {
    return this.range();
  }

  approximateNumEntries(): number {
    return this.#entries.size;
  }

  flush(): void {}

  close(): void {
    this.#entries.clear();
    this.#sorted = undefined;
  }

  #id(key: K): string {
    const bytes = this.#keySerde.serialize(this.name, key);
    return bytes === null ? '' : bytes.toString('hex');
  }

  #ids(): string[] {
    this.#sorted ??= [...this.#entries.keys()].sort();
    return this.#sorted;
  }

  #entry(id: string): KeyValue<K, V> {
    const entry = this.#entries.get(id)!;
    return { key: entry.key, value: entry.value };
  }
}

export function inMemoryKeyValueStore<K, V>(name: string, keySerde: Serde<K>): StoreBuilder<KeyValueStore<K, V>> {
  return { name, loggingEnabled: false, build: () => new InMemoryKeyValueStore<K, V>(name, keySerde) };
}

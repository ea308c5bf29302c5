import type { Serde } from '../../serdes/serde.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import { inMemoryKeyValueStore } from '../../state/memory/in-memory-key-value-store.ts';
import type { StoreBuilder } from '../../state/state-store.ts';
import type { KeyValueStoreFactory, Materialized } from '../options.ts';

/** The one place that picks the store behind DSL tables and aggregations when `Materialized.store` is unset. */
function defaultKeyValueStore<K, V>(name: string, keySerde: Serde<K>): StoreBuilder<KeyValueStore<K, V>> {
  return inMemoryKeyValueStore<K, V>(name, keySerde);
}

/**
 * Orders keys when no key serde is known at build time (the application's default serde is only known at
 * runtime). The in-memory store uses the bytes only to identify and order keys, never to read them back.
 */
const identityKeySerde: Serde<unknown> = {
  serialize: (_topic, value) => {
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  },
  deserialize: () => {
    throw new Error('The DSL store key serde identifies keys only; it cannot read them back.');
  },
};

export function keyValueStoreBuilder<K, V>(
  name: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StoreBuilder<KeyValueStore<K, V>> {
  const factory: KeyValueStoreFactory<K, V> = materialized?.store ?? defaultKeyValueStore;
  return factory(name, keySerde ?? (identityKeySerde as Serde<K>), valueSerde);
}

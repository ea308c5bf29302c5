import type { Serde } from '../serdes/serde.ts';
import type { KeyValueBytesStoreSupplier } from './key-value-bytes-store-supplier.ts';
import { KeyValueStoreBuilder } from './key-value-store-builder.ts';

function bytesStoreSupplier(name: string, persistent: boolean): KeyValueBytesStoreSupplier {
  return { name, persistent, get: (context) => context.openBytesStore(name, persistent) };
}

/**
 * Store builders in Kafka Streams' style.
 *
 * @example
 * const counts = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long())
 *   .withCachingEnabled({ maxBytes: 4 * 1024 * 1024 });
 * topology.addStateStore(counts, 'count-processor');
 */
export const Stores = {
  /** A key-value store in the task's LMDB environment: survives restarts, restores only the changelog's tail. */
  persistentKeyValueStore: (name: string): KeyValueBytesStoreSupplier => bytesStoreSupplier(name, true),
  /** A key-value store in memory: same semantics, restored in full from its changelog after a restart. */
  inMemoryKeyValueStore: (name: string): KeyValueBytesStoreSupplier => bytesStoreSupplier(name, false),
  /**
   * A typed store over `supplier`; serdes left out come from the application's defaults. Logging is on
   * and caching off until changed, as in Kafka Streams.
   */
  keyValueStoreBuilder: <K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): KeyValueStoreBuilder<K, V> => new KeyValueStoreBuilder<K, V>(supplier, keySerde, valueSerde),
} as const;

import { KStreamsError } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { StoreBuilder } from '../../state/state-store.ts';
import { Stores } from '../../state/stores.ts';
import type { Materialized } from '../options.ts';

/**
 * The one place that picks the store behind DSL tables and aggregations: Kafka Streams' defaults
 * (persistent, cached, logged) unless `materialized` says otherwise. Serdes left undefined come from the
 * application's defaults when each task builds its store.
 */
export function keyValueStoreBuilder<K, V>(
  name: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StoreBuilder<KeyValueStore<K, V>> {
  if (materialized?.store !== undefined) return materialized.store(name, keySerde, valueSerde);
  const supplier =
    materialized?.storeSupplier ??
    (materialized?.storeType === 'in-memory'
      ? Stores.inMemoryKeyValueStore(name)
      : Stores.persistentKeyValueStore(name));
  if (supplier.name !== name) {
    throw new KStreamsError(
      'TOPOLOGY_INVALID',
      `The store supplier is named "${supplier.name}", but the store is "${name}".`,
      { hint: 'Give the supplier the same name as Materialized.storeName.' },
    );
  }
  let builder = Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde);
  builder =
    materialized?.caching === false
      ? builder.withCachingDisabled()
      : builder.withCachingEnabled(
          materialized?.cacheMaxBytes === undefined ? {} : { maxBytes: materialized.cacheMaxBytes },
        );
  builder =
    materialized?.logging === false
      ? builder.withLoggingDisabled()
      : builder.withLoggingEnabled(materialized?.loggingConfigs ?? {});
  return builder;
}

import { KStreamsError } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import { Serdes } from '../../serdes/serdes.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { SessionStoreBuilder } from '../../state/session/session-store-builder.ts';
import type { StoreBuilder } from '../../state/state-store.ts';
import { Stores } from '../../state/stores.ts';
import type { WindowStoreBuilder } from '../../state/window/window-store-builder.ts';
import { emitProgressStoreName } from '../operators/emit-final-progress.ts';
import type { Materialized } from '../options.ts';

interface LayerChoices<B> {
  withCachingEnabled(options: { maxBytes?: number }): B;
  withCachingDisabled(): B;
  withLoggingEnabled(configs: Readonly<Record<string, string>>): B;
  withLoggingDisabled(): B;
}

/**
 * Picks the retention of a windowed aggregation's store: `materialized.retentionMs`, else the shortest
 * that still holds every window until it closes (`minimumMs` = size + grace). A shorter one would expire
 * windows that still accept records, so it is refused.
 */
export function windowRetention(
  storeName: string,
  materialized: Materialized<unknown, unknown> | undefined,
  minimumMs: number,
  what: string,
): number {
  if (materialized?.store !== undefined || materialized?.storeSupplier !== undefined) {
    throw new KStreamsError(
      'TOPOLOGY_INVALID',
      `The windowed aggregation "${storeName}" was given a key-value store (Materialized.store or storeSupplier).`,
      { hint: 'Windowed aggregations use window or session stores: choose them with storeType and retentionMs.' },
    );
  }
  const retentionMs = materialized?.retentionMs ?? minimumMs;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < minimumMs) {
    throw new KStreamsError(
      'TOPOLOGY_INVALID',
      `The retention of the windowed store "${storeName}" (${retentionMs} ms) is shorter than ${what} (${minimumMs} ms).`,
      { hint: `Give Materialized.retentionMs of at least ${minimumMs}, or leave it out to use that minimum.` },
    );
  }
  return retentionMs;
}

function layered<B extends LayerChoices<B>>(builder: B, materialized: Materialized<unknown, unknown> | undefined): B {
  const cached =
    materialized?.caching === false
      ? builder.withCachingDisabled()
      : builder.withCachingEnabled(
          materialized?.cacheMaxBytes === undefined ? {} : { maxBytes: materialized.cacheMaxBytes },
        );
  return materialized?.logging === false
    ? cached.withLoggingDisabled()
    : cached.withLoggingEnabled(materialized?.loggingConfigs ?? {});
}

/** The window store behind a time or sliding windowed aggregation: persistent, cached and logged by default. */
export function windowStoreBuilder<K, V>(
  name: string,
  materialized: Materialized<K, V> | undefined,
  options: { readonly windowSizeMs: number; readonly retentionMs: number },
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): WindowStoreBuilder<K, V> {
  const supplier =
    materialized?.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(name, options)
      : Stores.persistentWindowStore(name, options);
  return layered(
    Stores.windowStoreBuilder(supplier, keySerde, valueSerde),
    materialized as Materialized<unknown, unknown>,
  );
}

/** The session store behind a session windowed aggregation: persistent, cached and logged by default. */
export function sessionStoreBuilder<K, V>(
  name: string,
  materialized: Materialized<K, V> | undefined,
  retentionMs: number,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): SessionStoreBuilder<K, V> {
  const supplier =
    materialized?.storeType === 'in-memory'
      ? Stores.inMemorySessionStore(name, { retentionMs })
      : Stores.persistentSessionStore(name, { retentionMs });
  return layered(
    Stores.sessionStoreBuilder(supplier, keySerde, valueSerde),
    materialized as Materialized<unknown, unknown>,
  );
}

/**
 * The progress store of an aggregation that emits on window close: one entry, in memory, logged like the
 * window store (see EmitFinalProgress).
 */
export function emitProgressStoreBuilder(
  storeName: string,
  materialized: Materialized<unknown, unknown> | undefined,
): StoreBuilder<KeyValueStore<string, number>> {
  const builder = Stores.keyValueStoreBuilder(
    Stores.inMemoryKeyValueStore(emitProgressStoreName(storeName)),
    Serdes.string(),
    Serdes.long(),
  ).withCachingDisabled();
  return materialized?.logging === false ? builder.withLoggingDisabled() : builder.withLoggingEnabled({});
}

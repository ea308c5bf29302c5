import type { Serde } from '../serdes/serde.ts';
import type { KeyValueBytesStoreSupplier } from './key-value-bytes-store-supplier.ts';
import { KeyValueStoreBuilder } from './key-value-store-builder.ts';
import {
  type SessionBytesStoreSupplier,
  type SessionStoreOptions,
  sessionBytesStoreSupplier,
} from './session/session-bytes-store-supplier.ts';
import { SessionStoreBuilder } from './session/session-store-builder.ts';
import {
  type WindowBytesStoreSupplier,
  type WindowStoreOptions,
  windowBytesStoreSupplier,
} from './window/window-bytes-store-supplier.ts';
import { WindowStoreBuilder } from './window/window-store-builder.ts';

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
  /**
   * A window store in the task's LMDB environment. Throws CONFIG_INVALID unless retentionMs >= windowSizeMs > 0.
   *
   * @example
   * Stores.windowStoreBuilder(Stores.persistentWindowStore('clicks-per-minute', { retentionMs: 3_600_000, windowSizeMs: 60_000 }), Serdes.string(), Serdes.long())
   */
  persistentWindowStore: (name: string, options: WindowStoreOptions): WindowBytesStoreSupplier =>
    windowBytesStoreSupplier(name, true, options),
  /** A window store in memory: same semantics, restored in full from its changelog after a restart. */
  inMemoryWindowStore: (name: string, options: WindowStoreOptions): WindowBytesStoreSupplier =>
    windowBytesStoreSupplier(name, false, options),
  /** A typed window store over `supplier`; logging on, caching off until changed, as in Kafka Streams. */
  windowStoreBuilder: <K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): WindowStoreBuilder<K, V> => new WindowStoreBuilder<K, V>(supplier, keySerde, valueSerde),
  /** A session store in the task's LMDB environment. Throws CONFIG_INVALID unless retentionMs > 0. */
  persistentSessionStore: (name: string, options: SessionStoreOptions): SessionBytesStoreSupplier =>
    sessionBytesStoreSupplier(name, true, options),
  /** A session store in memory: same semantics, restored in full from its changelog after a restart. */
  inMemorySessionStore: (name: string, options: SessionStoreOptions): SessionBytesStoreSupplier =>
    sessionBytesStoreSupplier(name, false, options),
  /** A typed session store over `supplier`; logging on, caching off until changed, as in Kafka Streams. */
  sessionStoreBuilder: <K, AGG>(
    supplier: SessionBytesStoreSupplier,
    keySerde?: Serde<K>,
    aggregateSerde?: Serde<AGG>,
  ): SessionStoreBuilder<K, AGG> => new SessionStoreBuilder<K, AGG>(supplier, keySerde, aggregateSerde),
} as const;

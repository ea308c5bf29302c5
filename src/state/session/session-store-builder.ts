import type { StoreLayerSettings } from '../internals/store-layers.ts';
import { SegmentedStoreBuilder, type SegmentedStoreParts } from '../window/segmented-store-builder.ts';
import { MeteredSessionStore } from './metered-session-store.ts';
import type { SessionBytesStoreSupplier } from './session-bytes-store-supplier.ts';
import { SessionKeySchema } from './session-key-schema.ts';

/**
 * Builds a typed session store for each task, layered like a window store (see buildSegmentedLayers).
 * Logging on and caching off until changed, as in Kafka Streams; builders are immutable.
 */
export class SessionStoreBuilder<K, AGG> extends SegmentedStoreBuilder<
  K,
  AGG,
  SessionBytesStoreSupplier,
  SessionKeySchema,
  MeteredSessionStore<K, AGG>,
  SessionStoreBuilder<K, AGG>
> {
  readonly queryKind = 'session' as const;

  protected newSchema(): SessionKeySchema {
    return new SessionKeySchema();
  }

  protected newStore(parts: SegmentedStoreParts<K, AGG, SessionKeySchema>): MeteredSessionStore<K, AGG> {
    return new MeteredSessionStore<K, AGG>(parts);
  }

  protected withSettings(settings: StoreLayerSettings): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder<K, AGG>(this.supplier, this.keySerde, this.valueSerde, settings);
  }
}

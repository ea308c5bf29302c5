import type { StoreLayerSettings } from '../internals/store-layers.ts';
import { MeteredWindowStore } from './metered-window-store.ts';
import { SegmentedStoreBuilder, type SegmentedStoreParts } from './segmented-store-builder.ts';
import type { WindowBytesStoreSupplier } from './window-bytes-store-supplier.ts';
import { WindowKeySchema } from './window-key-schema.ts';

/**
 * Builds a typed window store for each task: Metered -> Caching (optional) -> ChangeLogging (optional)
 * -> Segmented -> WriteBuffer -> BytesStore (see buildSegmentedLayers). Logging on and caching off until
 * changed, as in Kafka Streams; builders are immutable.
 *
 * Reads by key (`fetch`) scan one key's contiguous windows. Reads by time over all keys (`fetchAll`) scan
 * the live windows and filter by start: a time-first secondary index would answer them in proportion to
 * the result, but would double every write, every delete and the disk space, and would need its own
 * cache merge; window stores mostly serve per-key reads (aggregations, joins), so we keep one index.
 */
export class WindowStoreBuilder<K, V> extends SegmentedStoreBuilder<
  K,
  V,
  WindowBytesStoreSupplier,
  WindowKeySchema,
  MeteredWindowStore<K, V>,
  WindowStoreBuilder<K, V>
> {
  readonly queryKind = 'window' as const;

  get windowSizeMs(): number {
    return this.supplier.windowSizeMs;
  }

  get retainDuplicates(): boolean {
    return this.supplier.retainDuplicates;
  }

  protected newSchema(): WindowKeySchema {
    return new WindowKeySchema(this.supplier.retainDuplicates);
  }

  protected newStore(parts: SegmentedStoreParts<K, V, WindowKeySchema>): MeteredWindowStore<K, V> {
    return new MeteredWindowStore<K, V>({ ...parts, windowSizeMs: this.supplier.windowSizeMs });
  }

  protected withSettings(settings: StoreLayerSettings): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder<K, V>(this.supplier, this.keySerde, this.valueSerde, settings);
  }
}

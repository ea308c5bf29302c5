import type { Serde } from '../../serdes/serde.ts';
import type { BytesStore } from '../bytes-store.ts';
import { LayeredStoreBuilder } from '../internals/layered-store-builder.ts';
import type { MeteredStoreOptions } from '../internals/metered-store.ts';
import { defaultStoreLayerSettings, type StoreLayerSettings } from '../internals/store-layers.ts';
import { resolveStoreSerdes } from '../internals/store-serdes.ts';
import type { StateStore } from '../state-store.ts';
import type { StoreContext } from '../store-context.ts';
import type { SegmentedKeySchema } from './segmented-bytes-layer.ts';
import { buildSegmentedLayers, changelogTopicConfigs } from './segmented-store-layers.ts';
import { SegmentedStoreState } from './segmented-store-state.ts';

/** What window and session bytes store suppliers have in common. */
export interface SegmentedBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  get(context: StoreContext): BytesStore;
}

/** What a window or session builder hands the typed layer it makes. */
export interface SegmentedStoreParts<K, V, Schema extends SegmentedKeySchema> extends MeteredStoreOptions<K, V> {
  readonly schema: Schema;
  readonly state: SegmentedStoreState;
}

const segmentedStoreNames = { builder: 'the store builder', store: 'a windowed store' } as const;

/**
 * What window and session store builders share: the supplier and serdes, the changelog configs, and the
 * build wiring (serdes, stream-time state, bytes layers) around the typed layer each subclass makes.
 */
export abstract class SegmentedStoreBuilder<
  K,
  V,
  Supplier extends SegmentedBytesStoreSupplier,
  Schema extends SegmentedKeySchema,
  S extends StateStore,
  B,
> extends LayeredStoreBuilder<S, B> {
  protected readonly supplier: Supplier;
  /** Absent: the application's default key serde. */
  readonly keySerde: Serde<K> | undefined;
  protected readonly valueSerde: Serde<V> | undefined;

  constructor(
    supplier: Supplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    settings: StoreLayerSettings = defaultStoreLayerSettings,
  ) {
    super(settings);
    this.supplier = supplier;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  protected abstract newSchema(): Schema;
  protected abstract newStore(parts: SegmentedStoreParts<K, V, Schema>): S;

  get name(): string {
    return this.supplier.name;
  }

  get persistent(): boolean {
    return this.supplier.persistent;
  }

  get retentionMs(): number {
    return this.supplier.retentionMs;
  }

  /**
   * Configs of the changelog topic: `cleanup.policy=compact,delete` and `retention.ms` = store retention
   * + 1 day (expired windows and sessions are not tombstoned; the broker deletes them), then the user's.
   */
  get changelogConfigs(): Readonly<Record<string, string>> {
    return changelogTopicConfigs(this.retentionMs, this.settings.loggingConfigs);
  }

  get loggingConfigs(): Readonly<Record<string, string>> {
    return this.changelogConfigs;
  }

  /** Without a context (unit tests) the store is in memory and unlogged; a persistent store needs one. */
  build(context?: StoreContext): S {
    const supplier = this.supplier;
    const serdes = resolveStoreSerdes(this.name, this.keySerde, this.valueSerde, context, segmentedStoreNames);
    const state = new SegmentedStoreState(supplier.retentionMs);
    const schema = this.newSchema();
    const inner = buildSegmentedLayers({
      name: this.name,
      persistent: supplier.persistent,
      openBytesStore: (storeContext) => supplier.get(storeContext),
      context,
      settings: this.settings,
      state,
      schema,
      segmentIntervalMs: supplier.segmentIntervalMs,
    });
    return this.newStore({
      inner,
      schema,
      state,
      serdes,
      recordContext: context?.recordContext,
      forwarding: context?.forwarding,
      metrics: context?.metrics,
    });
  }
}

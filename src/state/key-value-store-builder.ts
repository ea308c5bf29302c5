import type { Serde } from '../serdes/serde.ts';
import { LayeredStoreBuilder } from './internals/layered-store-builder.ts';
import { buildStoreLayers, defaultStoreLayerSettings, type StoreLayerSettings } from './internals/store-layers.ts';
import { resolveStoreSerdes } from './internals/store-serdes.ts';
import { MeteredKeyValueStore } from './key-value/metered-key-value-store.ts';
import type { KeyValueBytesStoreSupplier } from './key-value-bytes-store-supplier.ts';
import type { StoreContext } from './store-context.ts';

export type { CachingOptions } from './internals/layered-store-builder.ts';

/** How this builder's error hints name it and its stores. */
const keyValueStoreNames = { builder: 'Stores.keyValueStoreBuilder', store: 'a key-value store' } as const;

/**
 * Builds a typed key-value store for each task, layered as Kafka Streams does:
 * Metered -> Caching (optional) -> ChangeLogging (optional) -> WriteBuffer -> BytesStore.
 *
 * Defaults follow Kafka Streams' `Stores.keyValueStoreBuilder`: logging on, caching off; the DSL turns
 * caching on for the stores it creates. Builders are immutable: each `with*` returns a new one.
 */
export class KeyValueStoreBuilder<K, V> extends LayeredStoreBuilder<
  MeteredKeyValueStore<K, V>,
  KeyValueStoreBuilder<K, V>
> {
  readonly #supplier: KeyValueBytesStoreSupplier;
  readonly #keySerde: Serde<K> | undefined;
  readonly #valueSerde: Serde<V> | undefined;

  constructor(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    settings: StoreLayerSettings = defaultStoreLayerSettings,
  ) {
    super(settings);
    this.#supplier = supplier;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  get name(): string {
    return this.#supplier.name;
  }

  get persistent(): boolean {
    return this.#supplier.persistent;
  }

  /** The user's changelog topic configs (the topic is compacted). */
  get loggingConfigs(): Readonly<Record<string, string>> {
    return this.settings.loggingConfigs;
  }

  readonly queryKind = 'key-value' as const;

  get keySerde(): Serde<K> | undefined {
    return this.#keySerde;
  }

  /** Without a context (unit tests, legacy callers) the store is in memory and unlogged (see buildStoreLayers). */
  build(context?: StoreContext): MeteredKeyValueStore<K, V> {
    const serdes = resolveStoreSerdes(this.name, this.#keySerde, this.#valueSerde, context, keyValueStoreNames);
    const supplier = this.#supplier;
    const inner = buildStoreLayers({
      name: this.name,
      persistent: supplier.persistent,
      openBytesStore: (storeContext) => supplier.get(storeContext),
      context,
      settings: this.settings,
    });
    return new MeteredKeyValueStore<K, V>({
      inner,
      serdes,
      recordContext: context?.recordContext,
      forwarding: context?.forwarding,
      metrics: context?.metrics,
      onChange: context?.onChange,
    });
  }

  protected withSettings(settings: StoreLayerSettings): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder<K, V>(this.#supplier, this.#keySerde, this.#valueSerde, settings);
  }
}

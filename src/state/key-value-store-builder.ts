import { KStreamsError } from '../errors.ts';
import type { Serde } from '../serdes/serde.ts';
import { ByteBudget, defaultCacheMaxBytes } from './key-value/byte-budget.ts';
import { CachingLayer } from './key-value/caching-layer.ts';
import { ChangeLoggingLayer } from './key-value/change-logging-layer.ts';
import type { KeyValueBytesLayer } from './key-value/key-value-bytes-layer.ts';
import { MeteredKeyValueStore } from './key-value/metered-key-value-store.ts';
import { WriteBufferLayer } from './key-value/write-buffer-layer.ts';
import type { KeyValueBytesStoreSupplier } from './key-value-bytes-store-supplier.ts';
import { InMemoryBytesStore } from './memory/in-memory-bytes-store.ts';
import type { StoreBuilder } from './state-store.ts';
import type { StoreContext } from './store-context.ts';

export interface CachingOptions {
  /** Bytes the cache may hold before it asks for an early commit (default: the context's, else 10 MiB). */
  readonly maxBytes?: number;
}

interface BuilderSettings<K, V> {
  readonly supplier: KeyValueBytesStoreSupplier;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly loggingEnabled: boolean;
  readonly loggingConfigs: Readonly<Record<string, string>>;
  readonly cachingEnabled: boolean;
  readonly cacheMaxBytes: number | undefined;
}

/**
 * Builds a typed key-value store for each task, layered as Kafka Streams does:
 * Metered -> Caching (optional) -> ChangeLogging (optional) -> WriteBuffer -> BytesStore.
 *
 * Defaults follow Kafka Streams' `Stores.keyValueStoreBuilder`: logging on, caching off; the DSL turns
 * caching on for the stores it creates. Builders are immutable: each `with*` returns a new one.
 */
export class KeyValueStoreBuilder<K, V> implements StoreBuilder<MeteredKeyValueStore<K, V>> {
  #settings: BuilderSettings<K, V>;

  constructor(supplier: KeyValueBytesStoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    this.#settings = {
      supplier,
      keySerde,
      valueSerde,
      loggingEnabled: true,
      loggingConfigs: {},
      cachingEnabled: false,
      cacheMaxBytes: undefined,
    };
  }

  get name(): string {
    return this.#settings.supplier.name;
  }

  get persistent(): boolean {
    return this.#settings.supplier.persistent;
  }

  get loggingEnabled(): boolean {
    return this.#settings.loggingEnabled;
  }

  get loggingConfigs(): Readonly<Record<string, string>> {
    return this.#settings.loggingConfigs;
  }

  get cachingEnabled(): boolean {
    return this.#settings.cachingEnabled;
  }

  /** Changes stay in a write-back cache until commit: deduplicated per key, forwarded at flush. */
  withCachingEnabled(options: CachingOptions = {}): KeyValueStoreBuilder<K, V> {
    if (options.maxBytes !== undefined) assertBudget(this.name, options.maxBytes);
    return this.#with({ cachingEnabled: true, cacheMaxBytes: options.maxBytes });
  }

  withCachingDisabled(): KeyValueStoreBuilder<K, V> {
    return this.#with({ cachingEnabled: false, cacheMaxBytes: undefined });
  }

  /** Logs changes to `<application.id>-<name>-changelog`, created with `topicConfigs` (compacted). */
  withLoggingEnabled(topicConfigs: Readonly<Record<string, string>> = {}): KeyValueStoreBuilder<K, V> {
    return this.#with({ loggingEnabled: true, loggingConfigs: { ...topicConfigs } });
  }

  /** No changelog: the store cannot be restored elsewhere, and an in-memory one starts empty after a restart. */
  withLoggingDisabled(): KeyValueStoreBuilder<K, V> {
    return this.#with({ loggingEnabled: false, loggingConfigs: {} });
  }

  /**
   * The one place that decides the layering. Without a context (unit tests, legacy callers) the store is
   * in memory, unlogged, with no commit requests; a persistent store needs a context.
   */
  build(context?: StoreContext): MeteredKeyValueStore<K, V> {
    const { supplier, cachingEnabled, loggingEnabled } = this.#settings;
    const keySerde = this.#settings.keySerde ?? (context?.defaultKeySerde as Serde<K> | undefined);
    const valueSerde = this.#settings.valueSerde ?? (context?.defaultValueSerde as Serde<V> | undefined);
    if (keySerde === undefined || valueSerde === undefined) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        `The store "${this.name}" has no ${keySerde ? 'value' : 'key'} serde.`,
        {
          hint: 'Give the serdes to Stores.keyValueStoreBuilder, or build the store with a StoreContext that has default serdes.',
        },
      );
    }
    const bytesStore = context === undefined ? this.#detachedBytesStore() : supplier.get(context);
    const requestCommit = context === undefined ? () => undefined : () => context.requestCommit();
    const maxBytes = this.#settings.cacheMaxBytes ?? context?.cacheMaxBytes ?? defaultCacheMaxBytes;
    const budget = new ByteBudget(maxBytes, requestCommit);

    // The budget goes to the layer that holds writes between commits: the cache when there is one.
    let layer: KeyValueBytesLayer = new WriteBufferLayer(bytesStore, cachingEnabled ? undefined : budget);
    if (loggingEnabled && context?.changelog !== undefined) layer = new ChangeLoggingLayer(layer, context.changelog);
    if (cachingEnabled) layer = new CachingLayer(layer, budget, context?.metrics);
    return new MeteredKeyValueStore<K, V>({
      inner: layer,
      keySerde,
      valueSerde,
      serdeTopic: context === undefined ? this.name : `${context.applicationId}-${this.name}-changelog`,
      recordContext: context?.recordContext,
      forwarding: context?.forwarding,
      metrics: context?.metrics,
    });
  }

  #detachedBytesStore(): InMemoryBytesStore {
    if (this.persistent) {
      throw new KStreamsError(
        'ILLEGAL_STATE',
        `The persistent store "${this.name}" was built without a StoreContext.`,
        {
          hint: 'Build persistent stores through the runtime or the TopologyTestDriver, which give each task its context.',
        },
      );
    }
    return new InMemoryBytesStore(this.name);
  }

  #with(changes: Partial<BuilderSettings<K, V>>): KeyValueStoreBuilder<K, V> {
    const next = new KeyValueStoreBuilder<K, V>(this.#settings.supplier);
    next.#settings = { ...this.#settings, ...changes };
    return next;
  }
}

function assertBudget(store: string, maxBytes: number): void {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new KStreamsError('CONFIG_INVALID', `The cache of store "${store}" was given maxBytes ${maxBytes}.`, {
      hint: 'Give maxBytes as a positive whole number of bytes.',
    });
  }
}

import type { Serde } from '../../serdes/serde.ts';
import type { CachingOptions } from '../key-value-store-builder.ts';
import type { StoreBuilder } from '../state-store.ts';
import type { StoreContext } from '../store-context.ts';
import { MeteredWindowStore } from './metered-window-store.ts';
import {
  assertCacheBudget,
  buildSegmentedLayers,
  changelogTopicConfigs,
  defaultSegmentedStoreSettings,
  type SegmentedStoreSettings,
  storeSerdes,
} from './segmented-store-layers.ts';
import { SegmentedStoreState } from './segmented-store-state.ts';
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
export class WindowStoreBuilder<K, V> implements StoreBuilder<MeteredWindowStore<K, V>> {
  readonly #supplier: WindowBytesStoreSupplier;
  readonly #keySerde: Serde<K> | undefined;
  readonly #valueSerde: Serde<V> | undefined;
  readonly #settings: SegmentedStoreSettings;

  constructor(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    settings: SegmentedStoreSettings = defaultSegmentedStoreSettings,
  ) {
    this.#supplier = supplier;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#settings = settings;
  }

  get name(): string {
    return this.#supplier.name;
  }

  get persistent(): boolean {
    return this.#supplier.persistent;
  }

  get retentionMs(): number {
    return this.#supplier.retentionMs;
  }

  get windowSizeMs(): number {
    return this.#supplier.windowSizeMs;
  }

  get retainDuplicates(): boolean {
    return this.#supplier.retainDuplicates;
  }

  get loggingEnabled(): boolean {
    return this.#settings.loggingEnabled;
  }

  get cachingEnabled(): boolean {
    return this.#settings.cachingEnabled;
  }

  /**
   * Configs of the changelog topic: `cleanup.policy=compact,delete` and `retention.ms` = store retention
   * + 1 day (expired windows are not tombstoned; the broker deletes them), then the user's configs.
   */
  get changelogConfigs(): Readonly<Record<string, string>> {
    return changelogTopicConfigs(this.retentionMs, this.#settings.loggingConfigs);
  }

  get loggingConfigs(): Readonly<Record<string, string>> {
    return this.changelogConfigs;
  }

  /** Changes stay in a write-back cache until commit, deduplicated per window and forwarded at flush. */
  withCachingEnabled(options: CachingOptions = {}): WindowStoreBuilder<K, V> {
    if (options.maxBytes !== undefined) assertCacheBudget(this.name, options.maxBytes);
    return this.#with({ cachingEnabled: true, cacheMaxBytes: options.maxBytes });
  }

  withCachingDisabled(): WindowStoreBuilder<K, V> {
    return this.#with({ cachingEnabled: false, cacheMaxBytes: undefined });
  }

  /** Logs changes to `<application.id>-<name>-changelog`; `topicConfigs` override the defaults above. */
  withLoggingEnabled(topicConfigs: Readonly<Record<string, string>> = {}): WindowStoreBuilder<K, V> {
    return this.#with({ loggingEnabled: true, loggingConfigs: { ...topicConfigs } });
  }

  withLoggingDisabled(): WindowStoreBuilder<K, V> {
    return this.#with({ loggingEnabled: false, loggingConfigs: {} });
  }

  /** Without a context (unit tests) the store is in memory and unlogged; a persistent store needs one. */
  build(context?: StoreContext): MeteredWindowStore<K, V> {
    const supplier = this.#supplier;
    const serdes = storeSerdes(this.name, this.#keySerde, this.#valueSerde, context);
    const state = new SegmentedStoreState(supplier.retentionMs);
    const schema = new WindowKeySchema(supplier.retainDuplicates);
    const inner = buildSegmentedLayers({
      name: this.name,
      persistent: supplier.persistent,
      openBytesStore: (storeContext) => supplier.get(storeContext),
      context,
      settings: this.#settings,
      state,
      schema,
      segmentIntervalMs: supplier.segmentIntervalMs,
    });
    return new MeteredWindowStore<K, V>({
      inner,
      schema,
      state,
      windowSizeMs: supplier.windowSizeMs,
      serdes,
      recordContext: context?.recordContext,
      forwarding: context?.forwarding,
      metrics: context?.metrics,
    });
  }

  #with(changes: Partial<SegmentedStoreSettings>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder<K, V>(this.#supplier, this.#keySerde, this.#valueSerde, {
      ...this.#settings,
      ...changes,
    });
  }
}

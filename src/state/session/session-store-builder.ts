import type { Serde } from '../../serdes/serde.ts';
import type { CachingOptions } from '../key-value-store-builder.ts';
import type { StoreBuilder } from '../state-store.ts';
import type { StoreContext } from '../store-context.ts';
import {
  assertCacheBudget,
  buildSegmentedLayers,
  changelogTopicConfigs,
  defaultSegmentedStoreSettings,
  type SegmentedStoreSettings,
  storeSerdes,
} from '../window/segmented-store-layers.ts';
import { SegmentedStoreState } from '../window/segmented-store-state.ts';
import { MeteredSessionStore } from './metered-session-store.ts';
import type { SessionBytesStoreSupplier } from './session-bytes-store-supplier.ts';
import { SessionKeySchema } from './session-key-schema.ts';

/**
 * Builds a typed session store for each task, layered like a window store (see buildSegmentedLayers).
 * Logging on and caching off until changed, as in Kafka Streams; builders are immutable.
 */
export class SessionStoreBuilder<K, AGG> implements StoreBuilder<MeteredSessionStore<K, AGG>> {
  readonly #supplier: SessionBytesStoreSupplier;
  readonly #keySerde: Serde<K> | undefined;
  readonly #valueSerde: Serde<AGG> | undefined;
  readonly #settings: SegmentedStoreSettings;

  constructor(
    supplier: SessionBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<AGG>,
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

  get loggingEnabled(): boolean {
    return this.#settings.loggingEnabled;
  }

  get cachingEnabled(): boolean {
    return this.#settings.cachingEnabled;
  }

  /**
   * Configs of the changelog topic: `cleanup.policy=compact,delete` and `retention.ms` = store retention
   * + 1 day (expired sessions are not tombstoned; the broker deletes them), then the user's configs.
   */
  get changelogConfigs(): Readonly<Record<string, string>> {
    return changelogTopicConfigs(this.retentionMs, this.#settings.loggingConfigs);
  }

  get loggingConfigs(): Readonly<Record<string, string>> {
    return this.changelogConfigs;
  }

  /** Changes stay in a write-back cache until commit, deduplicated per session and forwarded at flush. */
  withCachingEnabled(options: CachingOptions = {}): SessionStoreBuilder<K, AGG> {
    if (options.maxBytes !== undefined) assertCacheBudget(this.name, options.maxBytes);
    return this.#with({ cachingEnabled: true, cacheMaxBytes: options.maxBytes });
  }

  withCachingDisabled(): SessionStoreBuilder<K, AGG> {
    return this.#with({ cachingEnabled: false, cacheMaxBytes: undefined });
  }

  /** Logs changes to `<application.id>-<name>-changelog`; `topicConfigs` override the defaults above. */
  withLoggingEnabled(topicConfigs: Readonly<Record<string, string>> = {}): SessionStoreBuilder<K, AGG> {
    return this.#with({ loggingEnabled: true, loggingConfigs: { ...topicConfigs } });
  }

  withLoggingDisabled(): SessionStoreBuilder<K, AGG> {
    return this.#with({ loggingEnabled: false, loggingConfigs: {} });
  }

  /** Without a context (unit tests) the store is in memory and unlogged; a persistent store needs one. */
  build(context?: StoreContext): MeteredSessionStore<K, AGG> {
    const supplier = this.#supplier;
    const serdes = storeSerdes(this.name, this.#keySerde, this.#valueSerde, context);
    const state = new SegmentedStoreState(supplier.retentionMs);
    const schema = new SessionKeySchema();
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
    return new MeteredSessionStore<K, AGG>({
      inner,
      schema,
      state,
      serdes,
      recordContext: context?.recordContext,
      forwarding: context?.forwarding,
      metrics: context?.metrics,
    });
  }

  #with(changes: Partial<SegmentedStoreSettings>): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder<K, AGG>(this.#supplier, this.#keySerde, this.#valueSerde, {
      ...this.#settings,
      ...changes,
    });
  }
}

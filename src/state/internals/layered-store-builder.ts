import type { StateStore, StoreBuilder } from '../state-store.ts';
import type { StoreContext } from '../store-context.ts';
import { assertCacheBudget, defaultStoreLayerSettings, type StoreLayerSettings } from './store-layers.ts';

export interface CachingOptions {
  /** Bytes the cache may hold before it asks for an early commit (default: the context's, else 10 MiB). */
  readonly maxBytes?: number;
}

/**
 * The caching and logging toggles shared by the key-value, window and session store builders. Builders
 * are immutable: each `with*` returns a new one (`B`, the concrete builder), made by `withSettings`.
 */
export abstract class LayeredStoreBuilder<S extends StateStore, B> implements StoreBuilder<S> {
  readonly #settings: StoreLayerSettings;

  constructor(settings: StoreLayerSettings = defaultStoreLayerSettings) {
    this.#settings = settings;
  }

  abstract get name(): string;
  abstract get persistent(): boolean;
  abstract get loggingConfigs(): Readonly<Record<string, string>>;
  abstract build(context?: StoreContext): S;
  protected abstract withSettings(settings: StoreLayerSettings): B;

  get loggingEnabled(): boolean {
    return this.#settings.loggingEnabled;
  }

  get cachingEnabled(): boolean {
    return this.#settings.cachingEnabled;
  }

  protected get settings(): StoreLayerSettings {
    return this.#settings;
  }

  /** Changes stay in a write-back cache until commit: deduplicated per stored key, forwarded at flush. */
  withCachingEnabled(options: CachingOptions = {}): B {
    if (options.maxBytes !== undefined) assertCacheBudget(this.name, options.maxBytes);
    return this.#with({ cachingEnabled: true, cacheMaxBytes: options.maxBytes });
  }

  withCachingDisabled(): B {
    return this.#with({ cachingEnabled: false, cacheMaxBytes: undefined });
  }

  /** Logs changes to `<application.id>-<name>-changelog`, created with `topicConfigs` on top of the store's. */
  withLoggingEnabled(topicConfigs: Readonly<Record<string, string>> = {}): B {
    return this.#with({ loggingEnabled: true, loggingConfigs: { ...topicConfigs } });
  }

  /** No changelog: the store cannot be restored elsewhere, and an in-memory one starts empty after a restart. */
  withLoggingDisabled(): B {
    return this.#with({ loggingEnabled: false, loggingConfigs: {} });
  }

  #with(changes: Partial<StoreLayerSettings>): B {
    return this.withSettings({ ...this.#settings, ...changes });
  }
}

import type { StateStore, StoreBuilder } from '../../state/state-store.ts';
import type { StoreContext } from '../../state/store-context.ts';

/**
 * A store builder whose serdes wrap serdes known only when a task builds the store (the application's
 * defaults, from the StoreContext). `template` answers everything asked before that (name, logging,
 * caching); `make` builds the real builder from the context.
 */
export class DeferredSerdeStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  readonly #template: StoreBuilder<S>;
  readonly #make: (context: StoreContext | undefined) => StoreBuilder<S>;

  constructor(template: StoreBuilder<S>, make: (context: StoreContext | undefined) => StoreBuilder<S>) {
    this.#template = template;
    this.#make = make;
  }

  get name(): string {
    return this.#template.name;
  }

  get loggingEnabled(): boolean {
    return this.#template.loggingEnabled;
  }

  get loggingConfigs(): Readonly<Record<string, string>> | undefined {
    return this.#template.loggingConfigs;
  }

  get persistent(): boolean | undefined {
    return this.#template.persistent;
  }

  get cachingEnabled(): boolean | undefined {
    return this.#template.cachingEnabled;
  }

  get queryKind(): StoreBuilder['queryKind'] {
    return this.#template.queryKind;
  }

  get keySerde(): StoreBuilder['keySerde'] {
    return this.#template.keySerde;
  }

  get windowSizeMs(): number | undefined {
    return this.#template.windowSizeMs;
  }

  build(context?: StoreContext): S {
    return this.#make(context).build(context);
  }
}

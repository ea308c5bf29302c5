import { KStreamsError } from '../../errors.ts';
import type { BytesStore } from '../bytes-store.ts';
import { ByteBudget, defaultCacheMaxBytes } from '../key-value/byte-budget.ts';
import { CachingLayer } from '../key-value/caching-layer.ts';
import { ChangeLoggingLayer } from '../key-value/change-logging-layer.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import { WriteBufferLayer } from '../key-value/write-buffer-layer.ts';
import { InMemoryBytesStore } from '../memory/in-memory-bytes-store.ts';
import type { StoreContext } from '../store-context.ts';

/** The caching and logging toggles every store builder has. */
export interface StoreLayerSettings {
  readonly loggingEnabled: boolean;
  /** Topic configs the user gave for the changelog topic. */
  readonly loggingConfigs: Readonly<Record<string, string>>;
  readonly cachingEnabled: boolean;
  readonly cacheMaxBytes: number | undefined;
}

/** Kafka Streams' defaults: logging on, caching off. */
export const defaultStoreLayerSettings: StoreLayerSettings = {
  loggingEnabled: true,
  loggingConfigs: {},
  cachingEnabled: false,
  cacheMaxBytes: undefined,
};

export interface StoreLayersOptions {
  readonly name: string;
  readonly persistent: boolean;
  readonly openBytesStore: (context: StoreContext) => BytesStore;
  readonly context: StoreContext | undefined;
  readonly settings: StoreLayerSettings;
  /** Puts a layer between the write buffer and change-logging (the segments of window and session stores). */
  readonly overWriteBuffer?: (writeBuffer: KeyValueBytesLayer) => KeyValueBytesLayer;
}

/**
 * The one place that decides the bytes layering under a store's typed layer:
 * Caching (optional) -> ChangeLogging (optional) -> [overWriteBuffer] -> WriteBuffer -> BytesStore.
 * Without a context (unit tests, legacy callers) the store is in memory, unlogged, with no commit
 * requests; a persistent store needs a context.
 */
export function buildStoreLayers(options: StoreLayersOptions): KeyValueBytesLayer {
  const { context, settings } = options;
  const bytesStore =
    context === undefined ? detachedBytesStore(options.name, options.persistent) : options.openBytesStore(context);
  const requestCommit = context === undefined ? () => undefined : () => context.requestCommit();
  const budget = new ByteBudget(
    settings.cacheMaxBytes ?? context?.cacheMaxBytes ?? defaultCacheMaxBytes,
    requestCommit,
  );
  // The budget goes to the layer that holds writes between commits: the cache when there is one.
  const writeBuffer = new WriteBufferLayer(bytesStore, settings.cachingEnabled ? undefined : budget);
  let layer: KeyValueBytesLayer = options.overWriteBuffer?.(writeBuffer) ?? writeBuffer;
  if (settings.loggingEnabled && context?.changelog !== undefined)
    layer = new ChangeLoggingLayer(layer, context.changelog);
  if (settings.cachingEnabled) layer = new CachingLayer(layer, budget, context?.metrics);
  return layer;
}

export function assertCacheBudget(store: string, maxBytes: number): void {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new KStreamsError('CONFIG_INVALID', `The cache of store "${store}" was given maxBytes ${maxBytes}.`, {
      hint: 'Give maxBytes as a positive whole number of bytes.',
    });
  }
}

function detachedBytesStore(name: string, persistent: boolean): InMemoryBytesStore {
  if (persistent) {
    throw new KStreamsError('ILLEGAL_STATE', `The persistent store "${name}" was built without a StoreContext.`, {
      hint: 'Build persistent stores through the runtime or the TopologyTestDriver, which give each task its context.',
    });
  }
  return new InMemoryBytesStore(name);
}

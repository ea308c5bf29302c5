import { KStreamsError } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { BytesStore } from '../bytes-store.ts';
import { ByteBudget, defaultCacheMaxBytes } from '../key-value/byte-budget.ts';
import { CachingLayer } from '../key-value/caching-layer.ts';
import { ChangeLoggingLayer } from '../key-value/change-logging-layer.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import { WriteBufferLayer } from '../key-value/write-buffer-layer.ts';
import { InMemoryBytesStore } from '../memory/in-memory-bytes-store.ts';
import type { StoreContext } from '../store-context.ts';
import { SegmentedBytesLayer, type SegmentedKeySchema } from './segmented-bytes-layer.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';
import { StoreSerdes } from './store-serdes.ts';

/** The toggles window and session store builders share with the key-value builder. */
export interface SegmentedStoreSettings {
  readonly loggingEnabled: boolean;
  /** Topic configs the user gave, on top of the store's own (see changelogTopicConfigs). */
  readonly loggingConfigs: Readonly<Record<string, string>>;
  readonly cachingEnabled: boolean;
  readonly cacheMaxBytes: number | undefined;
}

export const defaultSegmentedStoreSettings: SegmentedStoreSettings = {
  loggingEnabled: true,
  loggingConfigs: {},
  cachingEnabled: false,
  cacheMaxBytes: undefined,
};

/** Kafka Streams' windowstore.changelog.additional.retention.ms default: clock drift between brokers and apps. */
export const changelogRetentionMarginMs = 24 * 60 * 60 * 1000;

/**
 * Changelog topic configs of a window or session store: compacted (the newest value of each window) and
 * deleted after the store's retention plus a day, since expiry writes no tombstones. The user's configs win.
 */
export function changelogTopicConfigs(
  retentionMs: number,
  userConfigs: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  return {
    'cleanup.policy': 'compact,delete',
    'retention.ms': String(retentionMs + changelogRetentionMarginMs),
    ...userConfigs,
  };
}

export interface SegmentedLayersOptions {
  readonly name: string;
  readonly persistent: boolean;
  readonly openBytesStore: (context: StoreContext) => BytesStore;
  readonly context: StoreContext | undefined;
  readonly settings: SegmentedStoreSettings;
  readonly state: SegmentedStoreState;
  readonly schema: SegmentedKeySchema;
  readonly segmentIntervalMs: number;
}

/**
 * The one place that decides the layering of window and session stores, under their typed layer:
 * Caching (optional) -> ChangeLogging (optional) -> Segmented -> WriteBuffer -> BytesStore.
 * Caching and logging are the key-value layers, working on windowed bytes keys, so the changelog carries
 * windowed keys as in Kafka Streams; the segment prefix exists only below them.
 */
export function buildSegmentedLayers(options: SegmentedLayersOptions): KeyValueBytesLayer {
  const { context, settings } = options;
  const bytesStore =
    context === undefined ? detachedBytesStore(options.name, options.persistent) : options.openBytesStore(context);
  const requestCommit = context === undefined ? () => undefined : () => context.requestCommit();
  const budget = new ByteBudget(
    settings.cacheMaxBytes ?? context?.cacheMaxBytes ?? defaultCacheMaxBytes,
    requestCommit,
  );
  let layer: KeyValueBytesLayer = new SegmentedBytesLayer(
    new WriteBufferLayer(bytesStore, settings.cachingEnabled ? undefined : budget),
    { state: options.state, schema: options.schema, segmentIntervalMs: options.segmentIntervalMs },
  );
  if (settings.loggingEnabled && context?.changelog !== undefined)
    layer = new ChangeLoggingLayer(layer, context.changelog);
  if (settings.cachingEnabled) layer = new CachingLayer(layer, budget, context?.metrics);
  return layer;
}

/** The store's serdes, falling back to the context's defaults; throws CONFIG_INVALID when one is missing. */
export function storeSerdes<K, V>(
  name: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  context: StoreContext | undefined,
): StoreSerdes<K, V> {
  const key = keySerde ?? (context?.defaultKeySerde as Serde<K> | undefined);
  const value = valueSerde ?? (context?.defaultValueSerde as Serde<V> | undefined);
  if (key === undefined || value === undefined) {
    throw new KStreamsError('CONFIG_INVALID', `The store "${name}" has no ${key ? 'value' : 'key'} serde.`, {
      hint: 'Give the serdes to the store builder, or build the store with a StoreContext that has default serdes.',
    });
  }
  const topic = context === undefined ? name : `${context.applicationId}-${name}-changelog`;
  return new StoreSerdes(name, topic, key, value);
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

import type { BytesStore } from '../bytes-store.ts';
import { buildStoreLayers, type StoreLayerSettings } from '../internals/store-layers.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import type { StoreContext } from '../store-context.ts';
import { SegmentedBytesLayer, type SegmentedKeySchema } from './segmented-bytes-layer.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';

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
  readonly settings: StoreLayerSettings;
  readonly state: SegmentedStoreState;
  readonly schema: SegmentedKeySchema;
  readonly segmentIntervalMs: number;
}

/**
 * The layering of window and session stores, under their typed layer:
 * Caching (optional) -> ChangeLogging (optional) -> Segmented -> WriteBuffer -> BytesStore.
 * Caching and logging are the key-value layers, working on windowed bytes keys, so the changelog carries
 * windowed keys as in Kafka Streams; the segment prefix exists only below them.
 */
export function buildSegmentedLayers(options: SegmentedLayersOptions): KeyValueBytesLayer {
  const { state, schema, segmentIntervalMs } = options;
  return buildStoreLayers({
    ...options,
    overWriteBuffer: (writeBuffer) => new SegmentedBytesLayer(writeBuffer, { state, schema, segmentIntervalMs }),
  });
}

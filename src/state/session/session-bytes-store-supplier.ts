import type { BytesStore } from '../bytes-store.ts';
import type { StoreContext } from '../store-context.ts';
import { defaultSegmentInterval } from '../window/segmented-bytes-layer.ts';
import { assertDuration } from '../window/window-bytes-store-supplier.ts';

export interface SessionStoreOptions {
  /**
   * How long sessions are kept, in stream time: a session expires once stream time passes end + retentionMs.
   * For session aggregations, at least the inactivity gap plus the grace period.
   */
  readonly retentionMs: number;
}

/** Names a session store, gives its retention, and opens its bytes store for one task (Kafka Streams' SessionBytesStoreSupplier). */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  /** The time span of one segment, the unit in which retention deletes data. */
  readonly segmentIntervalMs: number;
  get(context: StoreContext): BytesStore;
}

export function sessionBytesStoreSupplier(
  name: string,
  persistent: boolean,
  options: SessionStoreOptions,
): SessionBytesStoreSupplier {
  assertDuration(name, 'retentionMs', options.retentionMs);
  return {
    name,
    persistent,
    retentionMs: options.retentionMs,
    segmentIntervalMs: defaultSegmentInterval(options.retentionMs),
    get: (context) => context.openBytesStore(name, persistent),
  };
}

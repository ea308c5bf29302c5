import type { BytesEntry } from '../bytes-store.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';

/** Inclusive bounds on the times (window starts, session ends) a read may return. */
export interface TimeBounds {
  readonly from: number;
  readonly to: number;
}

/** The part of a window or session key schema that scans one record key's stored entries. */
export interface KeyScanSchema {
  lowerBound(key: Buffer, time: number): Buffer;
  upperBound(key: Buffer, time: number): Buffer;
  isKeyOf(stored: Buffer, key: Buffer): boolean;
}

/** The bounds clamped to live, stored times (after retention, up to stream time); undefined when nothing can match. */
export function liveTimeBounds(state: SegmentedStoreState, from: number, to: number): TimeBounds | undefined {
  const lowest = Math.max(Math.ceil(from), state.lowestLiveTime());
  const highest = Math.min(Math.floor(to), state.streamTime);
  return highest < lowest ? undefined : { from: lowest, to: highest };
}

/** The stored entries of `key` with times within `bounds`, skipping longer keys that start with its bytes. */
export function* keyEntries(
  inner: KeyValueBytesLayer,
  schema: KeyScanSchema,
  key: Buffer,
  bounds: TimeBounds,
  reverse: boolean,
): Generator<BytesEntry> {
  const scan = inner.range({
    from: schema.lowerBound(key, bounds.from),
    to: schema.upperBound(key, bounds.to),
    reverse,
  });
  for (const entry of scan) {
    if (schema.isKeyOf(entry.key, key)) yield entry;
  }
}

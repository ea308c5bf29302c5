import type { BytesEntry, BytesRange } from '../bytes-store.ts';
import type { OverlayEntry } from './sorted-overlay.ts';

/**
 * Merges buffered writes over the entries of the layer below, both in the same key order: a buffered
 * value replaces the stored one, a buffered delete hides it. `limit` applies to the merged result, which
 * is why the layer below must be asked without one.
 */
export function* mergeOverlay(
  overlay: Iterator<OverlayEntry>,
  below: Iterator<BytesEntry>,
  range: BytesRange,
): Generator<BytesEntry> {
  const direction = range.reverse === true ? -1 : 1;
  let remaining = range.limit ?? Number.POSITIVE_INFINITY;
  let upper = overlay.next();
  let lower = below.next();
  try {
    while (remaining > 0 && !(upper.done === true && lower.done === true)) {
      let order: number;
      if (upper.done === true) order = 1;
      else if (lower.done === true) order = -1;
      else order = Buffer.compare(upper.value.key, lower.value.key) * direction;
      if (order > 0) {
        const entry = lower.value as BytesEntry;
        lower = below.next();
        remaining--;
        yield entry;
        continue;
      }
      const entry = upper.value as OverlayEntry;
      upper = overlay.next();
      if (order === 0) lower = below.next();
      if (entry.value === null) continue;
      remaining--;
      yield { key: entry.key, value: entry.value };
    }
  } finally {
    // Ends the lower scan early (limit, or the caller stopped reading) so a backend can release its cursor.
    below.return?.();
  }
}

/** The range of keys starting with `prefix`: [prefix, the first key after every key with that prefix). */
export function prefixRange(prefix: Buffer): BytesRange {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  // All 0xff (or empty): every key >= prefix starts with it.
  if (end === 0) return { from: prefix };
  const to = Buffer.from(prefix.subarray(0, end));
  to[end - 1] = prefix[end - 1]! + 1;
  return { from: prefix, to };
}

import type { SegmentedKeySchema } from '../window/segmented-bytes-layer.ts';
import { readTime, timeBytes, writeTime } from '../window/time-bytes.ts';

/**
 * The session key, as session stores keep it and as their changelog carries it (Kafka Streams' session
 * key schema):
 *
 *   serialized key | session end (int64, big-endian) | session start (int64, big-endian)
 *
 * One key's sessions are contiguous and ordered by end, then start. End first serves the merge query:
 * `findSessions(key, earliestEnd, latestStart)` starts its scan at the earliest end and stops at stream
 * time, the largest end stored; sessions of one key do not overlap once merged, so the scan meets few
 * that it must skip for starting too late. Retention and segments go by the end, so a session lives as
 * long as its last activity is recent. Times are never negative, so big-endian bytes sort like numbers.
 */
export class SessionKeySchema implements SegmentedKeySchema {
  readonly suffixLength = 2 * timeBytes;

  toStoreKey(key: Buffer, start: number, end: number): Buffer {
    const stored = Buffer.allocUnsafe(key.length + this.suffixLength);
    key.copy(stored, 0);
    writeTime(stored, end, key.length);
    writeTime(stored, start, key.length + timeBytes);
    return stored;
  }

  /** The smallest stored key of `key` ending at `earliestEnd` or later. */
  lowerBound(key: Buffer, earliestEnd: number): Buffer {
    return this.toStoreKey(key, 0, earliestEnd);
  }

  /** The first key after every stored key of `key` ending at `latestEnd` or earlier (exclusive bound). */
  upperBound(key: Buffer, latestEnd: number): Buffer {
    const bound = Buffer.allocUnsafe(key.length + timeBytes);
    key.copy(bound, 0);
    writeTime(bound, latestEnd + 1, key.length);
    return bound;
  }

  /** Within a scan bounded by `key`, tells `key`'s sessions from those of longer keys starting with it. */
  isKeyOf(stored: Buffer, key: Buffer): boolean {
    return stored.length === key.length + this.suffixLength;
  }

  recordKey(stored: Buffer): Buffer {
    return stored.subarray(0, stored.length - this.suffixLength);
  }

  endOf(stored: Buffer): number {
    return readTime(stored, stored.length - this.suffixLength);
  }

  startOf(stored: Buffer): number {
    return readTime(stored, stored.length - timeBytes);
  }

  /** Segments and retention go by the session end. */
  timeOf(stored: Buffer): number {
    return this.endOf(stored);
  }
}

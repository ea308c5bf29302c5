import type { SegmentedKeySchema } from './segmented-bytes-layer.ts';
import { readTime, timeBytes, writeTime } from './time-bytes.ts';

const sequenceBytes = 4;

/**
 * The windowed key, as window stores keep it and as their changelog carries it:
 *
 *   serialized key | window start (int64, big-endian) | sequence (uint32, big-endian; only with duplicates)
 *
 * One key's windows are therefore contiguous and in time order (then insertion order for duplicates),
 * which is what `fetch(key, from, to)` scans. Window starts are never negative, so big-endian bytes sort
 * like the numbers. Kafka Streams appends the 4-byte sequence to every window key; we add it only to
 * stores that retain duplicates, since the others never need it.
 *
 * The serialized key has no length prefix, so a scan of [key|from, key|to] can also meet a longer key
 * that starts with the same bytes; `isKeyOf` tells them apart by length, since every entry in that scan
 * starts with `key` and the suffix has a fixed size.
 */
export class WindowKeySchema implements SegmentedKeySchema {
  readonly suffixLength: number;
  readonly retainDuplicates: boolean;

  constructor(retainDuplicates: boolean) {
    this.retainDuplicates = retainDuplicates;
    this.suffixLength = timeBytes + (retainDuplicates ? sequenceBytes : 0);
  }

  toStoreKey(key: Buffer, windowStart: number, sequence = 0): Buffer {
    const stored = Buffer.allocUnsafe(key.length + this.suffixLength);
    key.copy(stored, 0);
    writeTime(stored, windowStart, key.length);
    if (this.retainDuplicates) stored.writeUInt32BE(sequence, key.length + timeBytes);
    return stored;
  }

  /** The smallest stored key of `key` at `windowStart` (sequence 0, when there is one). */
  lowerBound(key: Buffer, windowStart: number): Buffer {
    return this.toStoreKey(key, windowStart, 0);
  }

  /** The first key after every stored key of `key` at or before `windowStart` (exclusive bound). */
  upperBound(key: Buffer, windowStart: number): Buffer {
    const bound = Buffer.allocUnsafe(key.length + timeBytes);
    key.copy(bound, 0);
    writeTime(bound, windowStart + 1, key.length);
    return bound;
  }

  isKeyOf(stored: Buffer, key: Buffer): boolean {
    return stored.length === key.length + this.suffixLength;
  }

  recordKey(stored: Buffer): Buffer {
    return stored.subarray(0, stored.length - this.suffixLength);
  }

  timeOf(stored: Buffer): number {
    return readTime(stored, stored.length - this.suffixLength);
  }

  sequenceOf(stored: Buffer): number {
    return this.retainDuplicates ? stored.readUInt32BE(stored.length - sequenceBytes) : 0;
  }
}

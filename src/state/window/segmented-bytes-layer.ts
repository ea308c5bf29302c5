import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesRange, BytesWrite, CommitOptions } from '../bytes-store.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import { type RestoreWrites, restoreWritesOf } from '../packed-writes.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { SegmentedStoreState } from './segmented-store-state.ts';
import { readTime, timeBytes, writeTime } from './time-bytes.ts';

/** How a window or session key tells its time (window start, session end) and duplicate sequence. */
export interface SegmentedKeySchema {
  /** Bytes every stored key has after the serialized record key. */
  readonly suffixLength: number;
  /** The time that places a key in its segment and decides when it expires. */
  timeOf(key: Buffer): number;
  /** The duplicate sequence number in the key, for stores that retain duplicates. */
  sequenceOf?(key: Buffer): number;
}

export interface SegmentedBytesLayerOptions {
  readonly state: SegmentedStoreState;
  readonly schema: SegmentedKeySchema;
  readonly segmentIntervalMs: number;
}

// Segment ids are non-negative, so their first byte is at most 0x7f: the meta key sorts after every segment.
const metaKey = Buffer.from('\xffsegmented-store-meta', 'latin1');
const metaBytes = timeBytes + 4;

/** Kafka Streams' default segment interval: at most three segments hold the retained data. */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

/**
 * Time segments for window and session stores, as a key-value bytes layer between the change-logging
 * layer and the write buffer. Layers above see the windowed key (serialized key + times, as the changelog
 * carries it); below, each key is stored as `segment id (8 bytes, big-endian) + windowed key`, where the
 * segment id is `floor(key time / segment interval)`.
 *
 * Why segments: retention then drops whole key ranges, one cheap prefix scan per expired segment,
 * instead of scanning every key of the store for old ones. The cost is that a read runs one scan per live
 * segment (at most three with the default interval) and merges them back into windowed-key order.
 *
 * Expiry follows stream time (the shared state), never the wall clock: reads hide expired keys at once,
 * puts to expired times are dropped, and the flush at commit step 1 deletes expired segments through the
 * write buffer, so the deletes reach the bytes store in the same commit as the data that advanced stream
 * time. The deletes are not logged: the changelog topic uses `compact,delete` with a retention above the
 * store's, so the broker drops old changelog records itself, and restoration skips expired ones.
 *
 * Beside the segments, one meta entry (its key starts with 0xff, after every segment id) holds stream
 * time and the next duplicate sequence number; it is written at flush, so it persists with the data.
 */
export class SegmentedBytesLayer implements KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: KeyValueBytesLayer;
  readonly #state: SegmentedStoreState;
  readonly #schema: SegmentedKeySchema;
  readonly #interval: number;
  // Segments below this id hold nothing (deleted, or the deletes are buffered).
  #cleanedBelow = 0;
  #storedMeta: string | undefined;

  constructor(inner: KeyValueBytesLayer, options: SegmentedBytesLayerOptions) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.#inner = inner;
    this.#state = options.state;
    this.#schema = options.schema;
    this.#interval = options.segmentIntervalMs;
    this.#loadMeta();
  }

  get(key: Buffer): Buffer | undefined {
    const time = this.#schema.timeOf(key);
    if (this.#state.isExpired(time)) return undefined;
    return this.#inner.get(this.#storedKey(key, time));
  }

  put(key: Buffer, value: Buffer | null, record: StoreRecordContext): void {
    const time = this.#schema.timeOf(key);
    this.#state.observe(time);
    if (this.#state.isExpired(time)) return;
    this.#inner.put(this.#storedKey(key, time), value, record);
  }

  range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    return this.#mergeSegments(range);
  }

  approximateCount(): number {
    return Math.max(0, this.#inner.approximateCount() - (this.#inner.get(metaKey) === undefined ? 0 : 1));
  }

  setFlushListener(): boolean {
    return false;
  }

  flush(): void {
    const record = { timestamp: Math.max(0, this.#state.streamTime) };
    for (const key of this.#expiredStoredKeys()) this.#inner.put(key, null, record);
    const meta = this.#meta();
    if (meta !== undefined && meta.toString('latin1') !== this.#storedMeta) {
      this.#inner.put(metaKey, meta, record);
      this.#storedMeta = meta.toString('latin1');
    }
    this.#inner.flush();
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#inner.persist(changelogOffset);
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  /**
   * Restores changelog records (windowed keys): stream time advances over the whole batch first, then
   * records already expired by it are skipped, and segments it expires are deleted in the same commit.
   */
  async restore(restored: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void> {
    // Windowed keys are read per record: a packed batch becomes views of its buffer.
    const batch = restoreWritesOf(restored);
    const schema = this.#schema;
    const suffixLength = schema.suffixLength;
    let sequence = this.#state.sequence;
    for (const write of batch) {
      if (write.key.length < suffixLength) {
        throw new KStreamsError(
          'STATE_STORE_CORRUPT',
          `The changelog of store "${this.name}" holds a ${write.key.length}-byte key; its keys have at least ${suffixLength}.`,
          {
            hint: 'Check that the changelog topic belongs to this store (same application id and store name), or delete it.',
          },
        );
      }
      this.#state.observe(schema.timeOf(write.key));
      if (schema.sequenceOf !== undefined) sequence = Math.max(sequence, schema.sequenceOf(write.key) + 1);
    }
    this.#state.sequence = sequence >>> 0;
    const writes: BytesWrite[] = [];
    for (const write of batch) {
      const time = schema.timeOf(write.key);
      if (!this.#state.isExpired(time)) writes.push({ key: this.#storedKey(write.key, time), value: write.value });
    }
    for (const key of this.#expiredStoredKeys()) writes.push({ key, value: null });
    const meta = this.#meta();
    if (meta !== undefined) writes.push({ key: metaKey, value: meta });
    // Restoration's options pass through (the disk sync only on a store's last batch, writes in order
    // rather than one transaction): the meta entry follows the data, and replaying it is idempotent.
    await this.#inner.restore(writes, changelogOffset, options);
    this.#storedMeta = meta?.toString('latin1');
  }

  async wipe(): Promise<void> {
    this.#state.reset();
    this.#cleanedBelow = 0;
    this.#storedMeta = undefined;
    await this.#inner.wipe();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #segmentOf(time: number): number {
    return Math.floor(time / this.#interval);
  }

  #storedKey(key: Buffer, time: number): Buffer {
    const stored = Buffer.allocUnsafe(timeBytes + key.length);
    writeTime(stored, this.#segmentOf(time), 0);
    key.copy(stored, timeBytes);
    return stored;
  }

  #segmentPrefix(segment: number): Buffer {
    const prefix = Buffer.allocUnsafe(timeBytes);
    writeTime(prefix, segment, 0);
    return prefix;
  }

  /** Keys of segments that stream time has expired and that are not deleted yet; marks them deleted. */
  #expiredStoredKeys(): Buffer[] {
    if (this.#state.streamTime < 0) return [];
    const liveFrom = this.#segmentOf(this.#state.lowestLiveTime());
    if (liveFrom <= this.#cleanedBelow) return [];
    // Collected before any delete: the scan must not run over a buffer it is changing.
    const keys = [...this.#inner.range({ to: this.#segmentPrefix(liveFrom) })].map((entry) => entry.key);
    this.#cleanedBelow = liveFrom;
    return keys;
  }

  /** One scan per live segment, merged by windowed key (each key lives in exactly one segment). */
  *#mergeSegments(range: BytesRange): Generator<BytesEntry> {
    const state = this.#state;
    if (state.streamTime < 0) return;
    const direction = range.reverse === true ? -1 : 1;
    const cursors: { scan: Iterator<BytesEntry>; head: IteratorResult<BytesEntry> }[] = [];
    try {
      const last = this.#segmentOf(state.streamTime);
      for (let segment = this.#segmentOf(state.lowestLiveTime()); segment <= last; segment++) {
        const scan = this.#inner.range(this.#segmentRange(segment, range));
        cursors.push({ scan, head: scan.next() });
      }
      let remaining = range.limit ?? Number.POSITIVE_INFINITY;
      while (remaining > 0) {
        let next: (typeof cursors)[number] | undefined;
        for (const cursor of cursors) {
          if (cursor.head.done === true) continue;
          if (next === undefined || compareStripped(cursor.head.value.key, next.head.value.key) * direction < 0) {
            next = cursor;
          }
        }
        if (next === undefined) return;
        const entry = next.head.value as BytesEntry;
        next.head = next.scan.next();
        const key = entry.key.subarray(timeBytes);
        if (state.isExpired(this.#schema.timeOf(key))) continue;
        remaining--;
        yield { key, value: entry.value };
      }
    } finally {
      for (const cursor of cursors) cursor.scan.return?.();
    }
  }

  #segmentRange(segment: number, range: BytesRange): BytesRange {
    const prefix = this.#segmentPrefix(segment);
    return {
      from: range.from === undefined ? prefix : Buffer.concat([prefix, range.from]),
      to: range.to === undefined ? this.#segmentPrefix(segment + 1) : Buffer.concat([prefix, range.to]),
      reverse: range.reverse,
    };
  }

  #meta(): Buffer | undefined {
    if (this.#state.streamTime < 0) return undefined;
    const meta = Buffer.allocUnsafe(metaBytes);
    writeTime(meta, this.#state.streamTime, 0);
    meta.writeUInt32BE(this.#state.sequence, timeBytes);
    return meta;
  }

  #loadMeta(): void {
    const meta = this.#inner.get(metaKey);
    if (meta === undefined || meta.length !== metaBytes) return;
    this.#state.observe(readTime(meta, 0));
    this.#state.sequence = meta.readUInt32BE(timeBytes);
    this.#storedMeta = meta.toString('latin1');
  }
}

function compareStripped(a: Buffer, b: Buffer): number {
  return a.compare(b, timeBytes, b.length, timeBytes, a.length);
}

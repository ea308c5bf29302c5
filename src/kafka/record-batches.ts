import { KStreamsError } from '../errors.ts';
import { crc32c } from './crc32c.ts';
import type { AbortedTransaction, Decompress, FetchedRecordBatches, Header } from './types.ts';

/** Kafka's compression codecs, by the value of a record batch's attribute bits 0-2. */
export const compressionCodecs = [
  'none',
  'gzip',
  'snappy',
  'lz4',
  'zstd',
] as const satisfies readonly Parameters<Decompress>[0][];
export type CompressionCodec = (typeof compressionCodecs)[number];

/** What a fetch returned for one partition, undecoded: the record batches and how to read them. */
export type RecordBatchesSource = Omit<FetchedRecordBatches, 'topic' | 'partition'>;

// The v2 record batch header (KIP-98): offsets of its fields and its size.
const batchLengthAt = 8;
const magicAt = 16;
const crcAt = 17;
const attributesAt = 21;
const lastOffsetDeltaAt = 23;
const producerIdAt = 43;
const recordCountAt = 57;
const batchHeaderBytes = 61;
const compressionBits = 0b111;
const transactionalBit = 1 << 4;
const controlBit = 1 << 5;
const twoTo32 = 2 ** 32;
const emptyBuffer = Buffer.alloc(0);

/** The offset after the last complete batch in `bytes` (control batches included), or `from` if none. */
export function nextOffsetAfter(bytes: Buffer, from: number): number {
  let next = from;
  let at = 0;
  while (at + batchHeaderBytes <= bytes.length) {
    const batchEnd = at + 12 + bytes.readInt32BE(at + batchLengthAt);
    if (batchEnd > bytes.length) break;
    next = Math.max(next, readOffset(bytes, at) + bytes.readInt32BE(at + lastOffsetDeltaAt) + 1);
    at = batchEnd;
  }
  return next;
}

/**
 * The complete batches of `bytes` with every compressed one inflated, for a library whose codecs are
 * asynchronous (a cursor inflates synchronously); `bytes` itself when none is compressed. An inflated
 * batch keeps its header with the codec bits cleared, its length and CRC recomputed (after its own CRC
 * was checked).
 */
export async function inflateRecordBatches(
  bytes: Buffer,
  decompress: (codec: CompressionCodec, data: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let compressed = false;
  let at = 0;
  while (at + batchHeaderBytes <= bytes.length) {
    const batchEnd = at + 12 + bytes.readInt32BE(at + batchLengthAt);
    if (batchEnd > bytes.length) break;
    const attributes = bytes.readInt16BE(at + attributesAt);
    const codec = compressionCodecs[attributes & compressionBits];
    if (codec === undefined || codec === 'none') {
      parts.push(bytes.subarray(at, batchEnd));
    } else {
      // Checked before inflating, then sealed again: the cursor checks every batch it reads.
      checkCrc(bytes, at, batchEnd);
      compressed = true;
      const records = await decompress(codec, bytes.subarray(at + batchHeaderBytes, batchEnd));
      const batch = Buffer.concat([bytes.subarray(at, at + batchHeaderBytes), records]);
      batch.writeInt32BE(batch.length - 12, batchLengthAt);
      batch.writeInt16BE(attributes & ~compressionBits, attributesAt);
      batch.writeUInt32BE(crc32c(batch, attributesAt), crcAt);
      parts.push(batch);
    }
    at = batchEnd;
  }
  return compressed ? Buffer.concat(parts) : bytes;
}

/**
 * Reads records in place from fetched record batches (format v2): after each `next()` that returns true,
 * the fields describe one record as positions in `bytes`, and nothing is allocated per record. This is
 * restoration's path: a changelog record goes from the fetch response straight into a store's write
 * batch. Each batch read is checked against its CRC-32C first, as Java's consumer does by default
 * (check.crcs). Compressed batches are inflated one at a time. Control batches are skipped, and under
 * read_committed so are the batches of aborted transactions, as Java's fetcher decides it (the aborted
 * transactions list plus the abort markers). Records before `from` are skipped.
 */
export class RecordBatchCursor {
  /** The current record's offset. */
  offset = -1;
  /** The bytes the current record's positions refer to (the fetched bytes, or an inflated batch). */
  bytes: Buffer = emptyBuffer;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  /** -1 for a null value (a tombstone). */
  valueLength = -1;
  headersStart = 0;
  headerCount = 0;
  /** Set by `findHeader`: where the found header's value is (length -1: null). */
  headerValueStart = 0;
  headerValueLength = -1;

  readonly #source: RecordBatchesSource;
  readonly #aborted: AbortedTransaction[];
  readonly #abortedProducers = new Set<bigint>();
  // The next batch's position in the source.
  #batchAt = 0;
  // The current batch: where its next record is, how many remain, its base offset.
  #position = 0;
  #remaining = 0;
  #baseOffset = 0;

  constructor(source: RecordBatchesSource) {
    this.#source = source;
    this.#aborted = source.readCommitted
      ? [...source.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset)
      : [];
  }

  /** Moves to the next record; false once the complete batches are read. */
  next(): boolean {
    for (;;) {
      while (this.#remaining > 0) {
        this.#remaining--;
        this.#readRecord();
        if (this.offset >= this.#source.from) return true;
      }
      if (!this.#nextBatch()) return false;
    }
  }

  /** Finds the current record's header named `key` (UTF-8 bytes); true with `headerValue*` set. */
  findHeader(key: Uint8Array): boolean {
    const bytes = this.bytes;
    this.#position = this.headersStart;
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = this.#readVarint();
      const keyStart = this.#position;
      this.#position += keyLength;
      const valueLength = this.#readVarint();
      const valueStart = this.#position;
      if (valueLength > 0) this.#position += valueLength;
      if (keyLength !== key.length) continue;
      let same = true;
      for (let j = 0; j < keyLength && same; j++) same = bytes[keyStart + j] === key[j];
      if (!same) continue;
      this.headerValueStart = valueStart;
      this.headerValueLength = valueLength;
      return true;
    }
    return false;
  }

  /** The current record's headers as objects (for the rare record the in-place reads do not cover). */
  headers(): Header[] {
    const bytes = this.bytes;
    const headers: Header[] = [];
    this.#position = this.headersStart;
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = this.#readVarint();
      const key = bytes.toString('utf8', this.#position, this.#position + keyLength);
      this.#position += keyLength;
      const valueLength = this.#readVarint();
      const value = valueLength < 0 ? emptyBuffer : bytes.subarray(this.#position, this.#position + valueLength);
      if (valueLength > 0) this.#position += valueLength;
      headers.push({ key, value });
    }
    return headers;
  }

  #readRecord(): void {
    const bytes = this.bytes;
    const length = this.#readVarint();
    const end = this.#position + length;
    if (length <= 0 || end > bytes.length) throw corrupt(`a record of ${length} bytes runs past its batch`);
    // Attributes (unused), then the timestamp delta, a varlong this path does not need: skipped.
    let at = this.#position + 1;
    while (bytes[at++]! & 0x80);
    this.#position = at;
    this.offset = this.#baseOffset + this.#readVarint();
    this.keyLength = this.#readVarint();
    this.keyStart = this.#position;
    if (this.keyLength > 0) this.#position += this.keyLength;
    this.valueLength = this.#readVarint();
    this.valueStart = this.#position;
    if (this.valueLength > 0) this.#position += this.valueLength;
    this.headerCount = this.#readVarint();
    this.headersStart = this.#position;
    if (this.#position > end) throw corrupt('a record is longer than its length says');
    this.#position = end;
  }

  // A zigzag varint of at most 32 bits, at `#position` in the current bytes.
  #readVarint(): number {
    const bytes = this.bytes;
    let at = this.#position;
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (shift > 28 || at >= bytes.length) throw corrupt('a varint is malformed or cut off');
      byte = bytes[at++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    this.#position = at;
    return (value >>> 1) ^ -(value & 1);
  }

  #nextBatch(): boolean {
    const source = this.#source;
    const bytes = source.bytes;
    while (this.#batchAt + batchHeaderBytes <= bytes.length) {
      const at = this.#batchAt;
      const batchEnd = at + 12 + bytes.readInt32BE(at + batchLengthAt);
      if (batchEnd > bytes.length) return false;
      this.#batchAt = batchEnd;
      if (bytes[at + magicAt] !== 2) {
        throw corrupt(`a record batch has format ${bytes[at + magicAt]}; only format 2 (Kafka 0.11+) is read`);
      }
      const baseOffset = readOffset(bytes, at);
      const lastOffset = baseOffset + bytes.readInt32BE(at + lastOffsetDeltaAt);
      if (lastOffset < source.from) continue;
      checkCrc(bytes, at, batchEnd);
      const attributes = bytes.readInt16BE(at + attributesAt);
      if (source.readCommitted && !this.#keepTransactional(bytes, at, attributes, lastOffset, batchEnd)) continue;
      if (attributes & controlBit) continue;
      const codec = attributes & compressionBits;
      if (codec === 0) {
        this.bytes = bytes;
        this.#position = at + batchHeaderBytes;
      } else {
        const name = compressionCodecs[codec];
        if (name === undefined)
          throw corrupt(`a record batch names compression codec ${codec}, which Kafka does not have`);
        this.bytes = source.decompress(name, bytes.subarray(at + batchHeaderBytes, batchEnd));
        this.#position = 0;
      }
      this.#baseOffset = baseOffset;
      this.#remaining = bytes.readInt32BE(at + recordCountAt);
      return true;
    }
    return false;
  }

  // read_committed: false for a batch of an aborted transaction. Tracks the producers whose aborted
  // transactions have begun by this batch, and ends one at its abort marker (a control batch).
  #keepTransactional(bytes: Buffer, at: number, attributes: number, lastOffset: number, batchEnd: number): boolean {
    while (this.#aborted.length > 0 && this.#aborted[0]!.firstOffset <= lastOffset) {
      this.#abortedProducers.add(this.#aborted.shift()!.producerId);
    }
    if (this.#abortedProducers.size === 0) return true;
    const producerId = bytes.readBigInt64BE(at + producerIdAt);
    if (attributes & controlBit) {
      if (this.#isAbortMarker(bytes, at + batchHeaderBytes, batchEnd)) this.#abortedProducers.delete(producerId);
      return true;
    }
    return !(attributes & transactionalBit && this.#abortedProducers.has(producerId));
  }

  // A control record's key: int16 version, int16 type (0 abort, 1 commit).
  #isAbortMarker(bytes: Buffer, recordsAt: number, batchEnd: number): boolean {
    const saved = { data: this.bytes, position: this.#position };
    this.bytes = bytes.subarray(0, batchEnd);
    this.#position = recordsAt;
    try {
      this.#readRecord();
      return this.keyLength >= 4 && this.bytes.readInt16BE(this.keyStart + 2) === 0;
    } finally {
      this.bytes = saved.data;
      this.#position = saved.position;
    }
  }
}

function checkCrc(bytes: Buffer, at: number, batchEnd: number): void {
  const stored = bytes.readUInt32BE(at + crcAt);
  const computed = crc32c(bytes, at + attributesAt, batchEnd);
  if (computed !== stored) {
    throw corrupt(
      `the batch at offset ${readOffset(bytes, at)} fails its CRC-32C check (stored ${hex(stored)}, computed ${hex(computed)}): it was damaged on disk or on the wire`,
    );
  }
}

const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

function readOffset(bytes: Buffer, at: number): number {
  return bytes.readUInt32BE(at) * twoTo32 + bytes.readUInt32BE(at + 4);
}

function corrupt(what: string): KStreamsError {
  return new KStreamsError('KAFKA_CONSUME_FAILED', `A fetched record batch is corrupt: ${what}.`, {
    hint: 'Check the topic with kafka-dump-log.sh; if the broker holds it intact, report this with the fetch offset.',
    retriable: false,
  });
}

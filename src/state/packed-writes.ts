import type { BytesWrite } from './bytes-store.ts';

/**
 * A batch of writes packed into one transferable buffer: restoration's form of a write batch, built
 * straight from fetched changelog bytes with no object per record, and handed to a writer thread without
 * a copy. Per write: u32le key length, i32le value length (-1: a delete), one spare byte (a backend puts
 * its key-format byte there, so the stored key is contiguous), the key, the value.
 */
export interface PackedWrites {
  readonly data: ArrayBuffer;
  readonly count: number;
  /** The longest key's length, so a backend checks its key limit without reading the batch. */
  readonly longestKey: number;
}

/** A restoration batch: writes as objects, or packed. */
export type RestoreWrites = readonly BytesWrite[] | PackedWrites;

const entryHeaderBytes = 9;
const initialCapacity = 64 * 1024;

/** Builds one `PackedWrites`, growing its buffer as writes are added. */
export class PackedWritesBuilder {
  #buffer: Buffer = Buffer.allocUnsafeSlow(initialCapacity);
  #at = 0;
  #count = 0;
  #longestKey = 0;

  /** Writes added so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes packed so far. */
  get bytes(): number {
    return this.#at;
  }

  /** Adds a write whose key and value are ranges of byte arrays (value length -1: a delete). */
  add(
    keyBytes: Uint8Array,
    keyStart: number,
    keyLength: number,
    valueBytes: Uint8Array,
    valueStart: number,
    valueLength: number,
  ): void {
    const size = entryHeaderBytes + keyLength + Math.max(valueLength, 0);
    if (this.#at + size > this.#buffer.length) this.#grow(size);
    const buffer = this.#buffer;
    let at = writeUint32(buffer, this.#at, keyLength);
    // -1 (a delete) as an unsigned 32-bit length.
    at = writeUint32(buffer, at, valueLength < 0 ? 0xffffffff : valueLength);
    buffer[at++] = 0;
    at = copyInto(buffer, at, keyBytes, keyStart, keyLength);
    if (valueLength > 0) at = copyInto(buffer, at, valueBytes, valueStart, valueLength);
    this.#at = at;
    this.#count++;
    if (keyLength > this.#longestKey) this.#longestKey = keyLength;
  }

  /** The packed batch; the builder starts empty again. */
  finish(): PackedWrites {
    const packed = { data: this.#buffer.buffer as ArrayBuffer, count: this.#count, longestKey: this.#longestKey };
    // The next batch is likely about as large: room for it, so it rarely grows.
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(initialCapacity, Math.ceil(this.#at * 1.25)));
    this.#at = 0;
    this.#count = 0;
    this.#longestKey = 0;
    return packed;
  }

  #grow(size: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.#at + size));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }
}

/** Packs writes given as objects. */
export function packWrites(writes: readonly BytesWrite[]): PackedWrites {
  const builder = new PackedWritesBuilder();
  for (const { key, value } of writes) {
    builder.add(key, 0, key.length, value ?? key, 0, value === null ? -1 : value.length);
  }
  return builder.finish();
}

/** The writes of a restoration batch as objects (views of a packed batch's buffer). */
export function restoreWritesOf(batch: RestoreWrites): readonly BytesWrite[] {
  if (isPacked(batch)) return unpackWrites(batch);
  return batch;
}

export function isPacked(batch: RestoreWrites): batch is PackedWrites {
  return !Array.isArray(batch);
}

function unpackWrites(packed: PackedWrites): BytesWrite[] {
  const data = Buffer.from(packed.data);
  const writes: BytesWrite[] = [];
  let at = 0;
  for (let i = 0; i < packed.count; i++) {
    const keyLength = data.readUInt32LE(at);
    const valueLength = data.readInt32LE(at + 4);
    at += entryHeaderBytes;
    const key = data.subarray(at, at + keyLength);
    at += keyLength;
    if (valueLength < 0) {
      writes.push({ key, value: null });
    } else {
      writes.push({ key, value: data.subarray(at, at + valueLength) });
      at += valueLength;
    }
  }
  return writes;
}

// Little-endian by hand: Buffer#writeUInt32LE's argument checks cost more than the four stores.
function writeUint32(target: Buffer, at: number, value: number): number {
  target[at] = value;
  target[at + 1] = value >>> 8;
  target[at + 2] = value >>> 16;
  target[at + 3] = value >>> 24;
  return at + 4;
}

// Keys and values are mostly a few dozen bytes: a loop beats a native copy call per field.
function copyInto(target: Buffer, at: number, source: Uint8Array, start: number, length: number): number {
  if (length > 64) {
    target.set(source.subarray(start, start + length), at);
    return at + length;
  }
  for (let i = 0; i < length; i++) target[at + i] = source[start + i]!;
  return at + length;
}

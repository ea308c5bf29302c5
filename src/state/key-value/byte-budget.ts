/**
 * Counts the bytes a store buffers between commits and asks for a commit once they pass `maxBytes`
 * (DESIGN.md: commit early rather than spill uncommitted data to disk). Asks once per crossing; a commit
 * that frees the buffer re-arms it.
 */
export class ByteBudget {
  readonly maxBytes: number;
  readonly #requestCommit: () => void;
  #bytes = 0;
  #requested = false;

  constructor(maxBytes: number, requestCommit: () => void) {
    this.maxBytes = maxBytes;
    this.#requestCommit = requestCommit;
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes > this.maxBytes && !this.#requested) {
      this.#requested = true;
      this.#requestCommit();
    }
  }

  release(bytes: number): void {
    this.#bytes = Math.max(0, this.#bytes - bytes);
    if (this.#bytes <= this.maxBytes) this.#requested = false;
  }

  reset(): void {
    this.#bytes = 0;
    this.#requested = false;
  }
}

/** Default byte budget of one store's cache or write buffer, as Kafka Streams' cache.max.bytes.buffering. */
export const defaultCacheMaxBytes = 10 * 1024 * 1024;

// What V8 spends on one cached entry besides its bytes, measured on Node 24 (about 485 heap bytes for a
// 20-byte key and an 8-byte value): the Buffer objects of key and value, the key id string, the entry and
// its record context objects, and the Map slot. Counting only the bytes made 100,000 cached counts look
// like 11 MB when they held about 50 MB.
const entryOverhead = 440;

/** Approximate memory of one buffered entry: its key twice (bytes and map key id), its value, and the objects holding them. */
export function entrySize(key: Buffer, value: Buffer | null): number {
  return entryOverhead + 2 * key.length + (value === null ? 0 : value.length);
}

import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from '../bytes-store.ts';

/**
 * A bytes store held in memory with the same ordering (by key bytes) and the same commit semantics as
 * the LMDB store, so tests and the TopologyTestDriver see what production sees. Not durable.
 */
export class InMemoryBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent = false;
  // Keyed by the hex of the key bytes: hex strings sort exactly like the bytes they encode.
  readonly #entries = new Map<string, BytesEntry>();
  #sorted: BytesEntry[] | undefined;
  #offset: number | undefined;
  #closed = false;

  constructor(name: string) {
    this.name = name;
  }

  get(key: Buffer): Buffer | undefined {
    this.#assertOpen();
    return this.#entries.get(key.toString('hex'))?.value;
  }

  *range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    this.#assertOpen();
    const sorted = this.#sortedEntries();
    const low = range.from === undefined ? 0 : lowerBound(sorted, range.from);
    const high = range.to === undefined ? sorted.length : lowerBound(sorted, range.to);
    const limit = range.limit ?? Number.POSITIVE_INFINITY;
    let yielded = 0;
    if (range.reverse === true) {
      for (let i = high - 1; i >= low && yielded < limit; i--, yielded++) yield sorted[i]!;
    } else {
      for (let i = low; i < high && yielded < limit; i++, yielded++) yield sorted[i]!;
    }
  }

  *prefixScan(prefix: Buffer): IterableIterator<BytesEntry> {
    this.#assertOpen();
    const sorted = this.#sortedEntries();
    for (let i = lowerBound(sorted, prefix); i < sorted.length; i++) {
      const entry = sorted[i]!;
      if (!startsWith(entry.key, prefix)) return;
      yield entry;
    }
  }

  approximateCount(): number {
    this.#assertOpen();
    return this.#entries.size;
  }

  async commit(writes: readonly BytesWrite[], changelogOffset?: number): Promise<void> {
    this.#assertOpen();
    assertOffset(this.name, changelogOffset);
    // Checked before anything is applied: a commit applies fully or not at all.
    for (const write of writes) {
      if (!Buffer.isBuffer(write.key) || !(write.value === null || Buffer.isBuffer(write.value))) {
        throw new KStreamsError(
          'ILLEGAL_STATE',
          `A commit to the in-memory store "${this.name}" holds a non-Buffer key or value.`,
          {
            hint: 'Serialize keys and values to Buffers before committing them.',
          },
        );
      }
    }
    // Copies: callers may reuse pooled buffers after the commit, as they may with LMDB.
    for (const write of writes) {
      const id = write.key.toString('hex');
      if (write.value === null) this.#entries.delete(id);
      else this.#entries.set(id, { key: Buffer.from(write.key), value: Buffer.from(write.value) });
    }
    if (writes.length > 0) this.#sorted = undefined;
    if (changelogOffset !== undefined) this.#offset = changelogOffset;
  }

  changelogOffset(): number | undefined {
    this.#assertOpen();
    return this.#offset;
  }

  async clear(): Promise<void> {
    this.#assertOpen();
    this.#entries.clear();
    this.#sorted = undefined;
    this.#offset = undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #sortedEntries(): BytesEntry[] {
    this.#sorted ??= [...this.#entries.values()].sort(compareEntries);
    return this.#sorted;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new KStreamsError('ILLEGAL_STATE', `The in-memory store "${this.name}" is closed.`, {
        hint: 'Open a new store; a closed store cannot be used again.',
      });
    }
  }
}

function compareEntries(a: BytesEntry, b: BytesEntry): number {
  return Buffer.compare(a.key, b.key);
}

/** The index of the first entry whose key is >= `key`. */
function lowerBound(sorted: readonly BytesEntry[], key: Buffer): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(sorted[middle]!.key, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function assertOffset(store: string, offset: number | undefined): void {
  if (offset !== undefined && !(Number.isSafeInteger(offset) && offset >= 0)) {
    throw new KStreamsError('ILLEGAL_STATE', `Store "${store}" was given the changelog offset ${offset}.`, {
      hint: 'Pass the next changelog offset as a non-negative integer, or omit it.',
    });
  }
}

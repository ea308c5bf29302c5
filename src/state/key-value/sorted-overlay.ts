import type { BytesRange } from '../bytes-store.ts';

/** A buffered write: a value, or null for a delete that must hide the entry below. */
export interface OverlayEntry {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** A buffered write with its key id (see `keyId`), computed once per write. */
export interface IdentifiedEntry extends OverlayEntry {
  readonly id: string;
}

/**
 * The key as a latin1 string: one char per byte, so JavaScript's string order is exactly the unsigned byte
 * order, shorter prefix first.
 */
export function keyId(key: Buffer): string {
  return key.toString('latin1');
}

/**
 * `keyId` remembering its last answer: an update reads its key, then writes it with the same Buffer (the
 * typed layer serializes a key once per operation pair), so the id string is made once, not twice.
 */
export class KeyIds {
  #key: Buffer | undefined;
  #id = '';

  of(key: Buffer): string {
    if (key !== this.#key) {
      this.#key = key;
      this.#id = keyId(key);
    }
    return this.#id;
  }
}

/**
 * Buffered writes by key id, iterable in key-byte order. The sorted id list is rebuilt lazily, only after
 * a key was added or removed.
 */
export class SortedOverlay<E extends IdentifiedEntry> {
  readonly #entries = new Map<string, E>();
  #sortedIds: string[] | undefined;

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): E | undefined {
    return this.#entries.get(id);
  }

  /** Stores `entry` under its key and returns the entry it replaced, if any. */
  set(entry: E): E | undefined {
    const replaced = this.#entries.get(entry.id);
    if (replaced === undefined) this.#sortedIds = undefined;
    this.#entries.set(entry.id, entry);
    return replaced;
  }

  /** Stores `entry` under its key, replacing any; cheaper than `set` when the replaced entry is not needed. */
  put(entry: E): void {
    const size = this.#entries.size;
    this.#entries.set(entry.id, entry);
    if (this.#entries.size !== size) this.#sortedIds = undefined;
  }

  /** Removes the key's entry if it is still `entry` (not replaced by a newer write); returns whether it did. */
  deleteIfSame(entry: E): boolean {
    if (this.#entries.get(entry.id) !== entry) return false;
    this.#entries.delete(entry.id);
    this.#sortedIds = undefined;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#sortedIds = undefined;
  }

  /** Entries in insertion order of their keys. */
  values(): IterableIterator<E> {
    return this.#entries.values();
  }

  /** Entries with from <= key < to, in key order (descending when `reverse`); each read when reached. */
  *entriesIn(range: BytesRange): Generator<E> {
    const ids = this.#ids();
    const low = range.from === undefined ? 0 : lowerBound(ids, keyId(range.from));
    const high = range.to === undefined ? ids.length : lowerBound(ids, keyId(range.to));
    if (range.reverse === true) {
      for (let i = high - 1; i >= low; i--) {
        const entry = this.#entries.get(ids[i]!);
        if (entry !== undefined) yield entry;
      }
    } else {
      for (let i = low; i < high; i++) {
        const entry = this.#entries.get(ids[i]!);
        if (entry !== undefined) yield entry;
      }
    }
  }

  #ids(): string[] {
    this.#sortedIds ??= [...this.#entries.keys()].sort();
    return this.#sortedIds;
  }
}

/** The index of the first id >= `id`. */
function lowerBound(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ids[middle]! < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesRange, CommitOptions } from '../bytes-store.ts';
import type { RestoreWrites } from '../packed-writes.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { StoreMetrics } from '../store-metrics.ts';
import { type ByteBudget, entrySize } from './byte-budget.ts';
import type { BytesFlushListener, KeyValueBytesLayer } from './key-value-bytes-layer.ts';
import { mergeOverlay } from './merge-overlay.ts';
import { type IdentifiedEntry, KeyIds, SortedOverlay } from './sorted-overlay.ts';

interface CachedWrite extends IdentifiedEntry {
  readonly record: StoreRecordContext;
  readonly size: number;
  /** The value below when the key entered the cache, if the read just before told it (else read at flush). */
  readonly below: Buffer | null | undefined;
}

interface FlushedChange {
  readonly write: CachedWrite;
  readonly oldValue: Buffer | null;
}

/**
 * Kafka Streams' write-back cache: changes stay here until commit step 1, so repeated updates of a key
 * reach the changelog and the flush listener once per flush, with the value the key had before its first
 * update as the old value. Reads see the cache first (read-your-writes); scans merge it over the layer
 * below. Past its byte budget it asks for an early commit; it never evicts a change nobody committed.
 */
export class CachingLayer implements KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: KeyValueBytesLayer;
  readonly #budget: ByteBudget;
  readonly #metrics: StoreMetrics | undefined;
  #cache = new SortedOverlay<CachedWrite>();
  readonly #ids = new KeyIds();
  #listener: BytesFlushListener | undefined;
  // The last key read from below and what it read: an update reads its key, then writes it, so the value
  // the flush needs as old value is known without a second read. Forgotten whenever the layer below changes.
  #lastMissId: string | undefined;
  #lastMissValue: Buffer | null = null;

  constructor(inner: KeyValueBytesLayer, budget: ByteBudget, metrics?: StoreMetrics) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.#inner = inner;
    this.#budget = budget;
    this.#metrics = metrics;
  }

  get(key: Buffer): Buffer | undefined {
    const id = this.#ids.of(key);
    const cached = this.#cache.get(id);
    this.#metrics?.recordCacheLookup?.(this.name, cached !== undefined);
    if (cached !== undefined) return cached.value ?? undefined;
    const below = this.#inner.get(key);
    this.#lastMissId = id;
    this.#lastMissValue = below ?? null;
    return below;
  }

  put(key: Buffer, value: Buffer | null, record: StoreRecordContext): void {
    const id = this.#ids.of(key);
    const replaced = this.#cache.get(id);
    let below: Buffer | null | undefined;
    if (replaced !== undefined) below = replaced.below;
    else if (id === this.#lastMissId) below = this.#lastMissValue;
    const size = entrySize(key, value) + (below?.length ?? 0);
    this.#cache.put({ id, key, value, record, size, below });
    if (replaced !== undefined) this.#budget.release(replaced.size);
    this.#budget.add(size);
  }

  range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    const bounds: BytesRange = { from: range.from, to: range.to, reverse: range.reverse };
    return mergeOverlay(this.#cache.entriesIn(bounds), this.#inner.range(bounds), range);
  }

  approximateCount(): number {
    let count = this.#inner.approximateCount();
    for (const write of this.#cache.values()) count += write.value === null ? -1 : 1;
    return Math.max(0, count);
  }

  setFlushListener(listener: BytesFlushListener): boolean {
    this.#listener = listener;
    return true;
  }

  /**
   * Pushes every cached change down (to the changelog and the write buffer) first, then calls the
   * listener: the listener's downstream processing then reads a consistent store, and any write it makes
   * to this store lands in the next flush.
   */
  flush(): void {
    if (this.#cache.size > 0) {
      const changes: FlushedChange[] = [];
      this.#forgetLastMiss();
      for (const write of this.#cache.values()) {
        const oldValue = write.below === undefined ? (this.#inner.get(write.key) ?? null) : write.below;
        // Deleting a key that was never there changes nothing, downstream or in the changelog.
        if (write.value === null && oldValue === null) continue;
        this.#inner.put(write.key, write.value, write.record);
        changes.push({ write, oldValue });
      }
      this.#cache = new SortedOverlay();
      this.#budget.reset();
      const listener = this.#listener;
      if (listener !== undefined) {
        for (const { write, oldValue } of changes) listener(write.key, write.value, oldValue, write.record);
      }
    }
    this.#inner.flush();
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#inner.persist(changelogOffset);
  }

  #forgetLastMiss(): void {
    this.#lastMissId = undefined;
    this.#lastMissValue = null;
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  async restore(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void> {
    if (this.#cache.size > 0) {
      throw new KStreamsError(
        'ILLEGAL_STATE',
        `Store "${this.name}" cannot restore while its cache holds ${this.#cache.size} unflushed changes.`,
        { hint: 'Restore a store before its task processes records, or wipe it first.' },
      );
    }
    this.#forgetLastMiss();
    await this.#inner.restore(batch, changelogOffset, options);
  }

  wipe(): Promise<void> {
    this.#forgetLastMiss();
    this.#cache = new SortedOverlay();
    this.#budget.reset();
    return this.#inner.wipe();
  }

  close(): Promise<void> {
    this.#forgetLastMiss();
    this.#cache = new SortedOverlay();
    this.#budget.reset();
    return this.#inner.close();
  }
}

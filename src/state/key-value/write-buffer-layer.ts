import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesRange, BytesStore, CommitOptions } from '../bytes-store.ts';
import { isPacked, type RestoreWrites, restoreWritesOf } from '../packed-writes.ts';
import type { ByteBudget } from './byte-budget.ts';
import { entrySize } from './byte-budget.ts';
import type { KeyValueBytesLayer } from './key-value-bytes-layer.ts';
import { mergeOverlay } from './merge-overlay.ts';
import { type IdentifiedEntry, KeyIds, SortedOverlay } from './sorted-overlay.ts';

interface BufferedWrite extends IdentifiedEntry {
  readonly size: number;
}

/**
 * The bottom layer, over the BytesStore: every write since the last persist stays here, visible to reads,
 * so the BytesStore only ever receives data covered by committed offsets (DESIGN.md, commit step 4).
 *
 * Writes move through three stages: unflushed (since the last flush), flushed (sealed at commit step 1,
 * waiting for step 4) and persisting (handed to BytesStore.commit). `persist` writes only the flushed
 * ones: a write made while a commit is under way belongs to the next commit.
 */
export class WriteBufferLayer implements KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly #store: BytesStore;
  readonly #budget: ByteBudget | undefined;
  // The newest unpersisted write of each key, whatever its stage: what reads see over the BytesStore.
  readonly #visible = new SortedOverlay<BufferedWrite>();
  readonly #ids = new KeyIds();
  #unflushed = new SortedOverlay<BufferedWrite>();
  #flushed = new SortedOverlay<BufferedWrite>();
  // Persists run one after the other; a failed one leaves its writes flushed for the next attempt.
  #persistQueue: Promise<void> = Promise.resolve();

  /** `budget`: counts buffered bytes and requests a commit past it (given when no cache above does). */
  constructor(store: BytesStore, budget?: ByteBudget) {
    this.name = store.name;
    this.persistent = store.persistent;
    this.#store = store;
    this.#budget = budget;
  }

  get(key: Buffer): Buffer | undefined {
    const buffered = this.#visible.get(this.#ids.of(key));
    if (buffered !== undefined) return buffered.value ?? undefined;
    return this.#store.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    const write: BufferedWrite = { id: this.#ids.of(key), key, value, size: entrySize(key, value) };
    const replaced = this.#visible.set(write);
    this.#unflushed.put(write);
    if (this.#budget !== undefined) {
      if (replaced !== undefined) this.#budget.release(replaced.size);
      this.#budget.add(write.size);
    }
  }

  range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    const bounds: BytesRange = { from: range.from, to: range.to, reverse: range.reverse };
    return mergeOverlay(this.#visible.entriesIn(bounds), this.#store.range(bounds), range);
  }

  approximateCount(): number {
    let count = this.#store.approximateCount();
    for (const write of this.#visible.values()) count += write.value === null ? -1 : 1;
    return Math.max(0, count);
  }

  setFlushListener(): boolean {
    return false;
  }

  flush(): void {
    if (this.#unflushed.size === 0) return;
    // Usually the previous commit persisted everything: the unflushed writes become the flushed ones as is.
    if (this.#flushed.size === 0) this.#flushed = this.#unflushed;
    else for (const write of this.#unflushed.values()) this.#flushed.put(write);
    this.#unflushed = new SortedOverlay();
  }

  persist(changelogOffset?: number): Promise<void> {
    const run = this.#persistQueue.then(() => this.#persistFlushed(changelogOffset));
    this.#persistQueue = run.catch(() => undefined);
    return run;
  }

  changelogOffset(): number | undefined {
    return this.#store.changelogOffset();
  }

  async restore(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void> {
    if (this.#visible.size > 0) {
      throw new KStreamsError(
        'ILLEGAL_STATE',
        `Store "${this.name}" cannot restore while it holds ${this.#visible.size} unpersisted writes.`,
        { hint: 'Restore a store before its task processes records, or wipe it first.' },
      );
    }
    await this.#persistQueue;
    if (isPacked(batch) && this.#store.restorePacked !== undefined) {
      await this.#store.restorePacked(batch, changelogOffset, options);
      return;
    }
    await this.#store.commit(restoreWritesOf(batch), changelogOffset, options);
  }

  async wipe(): Promise<void> {
    this.#dropBuffered();
    await this.#persistQueue;
    await this.#store.clear();
  }

  async close(): Promise<void> {
    await this.#persistQueue;
    this.#dropBuffered();
    await this.#store.close();
  }

  async #persistFlushed(changelogOffset: number | undefined): Promise<void> {
    const batch = [...this.#flushed.values()];
    if (batch.length === 0 && (changelogOffset === undefined || changelogOffset === this.#store.changelogOffset())) {
      return;
    }
    this.#flushed = new SortedOverlay();
    try {
      await this.#store.commit(batch, changelogOffset);
    } catch (error) {
      // Back to flushed, unless the same key was flushed again meanwhile (the newer write wins).
      for (const write of batch) if (this.#flushed.get(write.id) === undefined) this.#flushed.set(write);
      throw error;
    }
    for (const write of batch) {
      if (this.#visible.deleteIfSame(write)) this.#budget?.release(write.size);
    }
  }

  #dropBuffered(): void {
    this.#visible.clear();
    this.#unflushed = new SortedOverlay();
    this.#flushed = new SortedOverlay();
    this.#budget?.reset();
  }
}

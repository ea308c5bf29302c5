/**
 * The storage contract under every key-value store (goka's minimal storage, Quix's backend): bytes in,
 * bytes out, ordered by key bytes, plus the changelog offset the data corresponds to. Typed layers
 * (serdes, caching, change-logging) sit on top; only backends implement this.
 */

import type { PackedWrites } from './packed-writes.ts';

export interface BytesEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** One write of a commit: a value to store, or null to delete the key. */
export interface BytesWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** How a commit treats durability. */
export interface CommitOptions {
  /**
   * False: resolve once the transaction is committed (visible, and kept by a process crash) without
   * waiting for the disk sync. Restoration batches use it: data and offset still commit atomically, so a
   * power loss can only roll the store back to an earlier consistent offset, which restoration resumes
   * from. Default true.
   */
  readonly durable?: boolean;
  /**
   * False: the writes may land in several LMDB transactions, in order, with the offset after the data, so a
   * crash can leave the data ahead of the stored offset but never behind it. Only for writes whose replay is
   * idempotent, as restoration's are (the changelog holds whole values). It lets the backend write off the
   * event loop. Default true.
   */
  readonly atomic?: boolean;
}

export interface BytesRange {
  /** Inclusive lower bound; absent: from the first key. */
  readonly from?: Buffer;
  /** Exclusive upper bound; absent: to the last key. */
  readonly to?: Buffer;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface BytesStore {
  readonly name: string;
  /** True when the data survives a process restart. */
  readonly persistent: boolean;
  /** Reads are synchronous and see only committed data. */
  get(key: Buffer): Buffer | undefined;
  range(range?: BytesRange): IterableIterator<BytesEntry>;
  prefixScan(prefix: Buffer): IterableIterator<BytesEntry>;
  approximateCount(): number;
  /**
   * Applies the writes and records `changelogOffset` (the next changelog offset these data cover) in ONE
   * transaction: after a crash either both are there or neither. Resolves once durable, unless
   * `options.durable` is false.
   */
  commit(writes: readonly BytesWrite[], changelogOffset?: number, options?: CommitOptions): Promise<void>;
  /**
   * Restoration's commit of a packed batch (as `commit` with `atomic: false`), for a backend that writes
   * packed batches as they are; without it the batch's writes go through `commit`.
   */
  restorePacked?(packed: PackedWrites, changelogOffset: number, options?: CommitOptions): Promise<void>;
  /** The changelog offset stored by the last commit; undefined for a new or wiped store. */
  changelogOffset(): number | undefined;
  /** Deletes every entry and the stored offset (before a restore from the changelog's start). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

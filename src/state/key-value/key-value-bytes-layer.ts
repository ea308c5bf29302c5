import type { BytesEntry, BytesRange, CommitOptions } from '../bytes-store.ts';
import type { RestoreWrites } from '../packed-writes.ts';
import type { StoreRecordContext } from '../store-context.ts';

/** Called at flush for each key changed since the last flush: its newest value and the value before the first change. */
export type BytesFlushListener = (
  key: Buffer,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  record: StoreRecordContext,
) => void;

/**
 * One layer of a key-value store below the metered (typed) layer: caching, change-logging, write buffer.
 * Keys and values are bytes, ordered by unsigned key bytes. Each layer does its own job and passes
 * everything else to the layer below; the write buffer sits at the bottom over a BytesStore.
 */
export interface KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  /** The newest value, buffered or stored; undefined when absent or deleted. */
  get(key: Buffer): Buffer | undefined;
  /** Stores `value` for `key`, or deletes the key when `value` is null. `record` stamps the change. */
  put(key: Buffer, value: Buffer | null, record: StoreRecordContext): void;
  /** Entries in [from, to), buffered writes merged over stored data; `limit` counts merged entries. */
  range(range?: BytesRange): IterableIterator<BytesEntry>;
  approximateCount(): number;
  /** Returns true when this layer (a cache) will call the listener at flush; false: the caller forwards itself. */
  setFlushListener(listener: BytesFlushListener): boolean;
  flush(): void;
  persist(changelogOffset?: number): Promise<void>;
  changelogOffset(): number | undefined;
  restore(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void>;
  wipe(): Promise<void>;
  close(): Promise<void>;
}

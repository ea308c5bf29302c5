import type { BytesEntry, BytesRange, CommitOptions } from '../bytes-store.ts';
import type { RestoreWrites } from '../packed-writes.ts';
import type { ChangelogSink, StoreRecordContext } from '../store-context.ts';
import type { KeyValueBytesLayer } from './key-value-bytes-layer.ts';

/**
 * Sends every change that reaches it to the changelog sink, after applying it below. Under a cache it
 * sees (and logs) one deduplicated change per key per flush; without one, every put and delete.
 * Restoration passes by: restored records come from the changelog and must not be sent back to it.
 */
export class ChangeLoggingLayer implements KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: KeyValueBytesLayer;
  readonly #sink: ChangelogSink;

  constructor(inner: KeyValueBytesLayer, sink: ChangelogSink) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.#inner = inner;
    this.#sink = sink;
  }

  get(key: Buffer): Buffer | undefined {
    return this.#inner.get(key);
  }

  put(key: Buffer, value: Buffer | null, record: StoreRecordContext): void {
    this.#inner.put(key, value, record);
    this.#sink.send(this.name, key, value, record.timestamp, record.source);
  }

  range(range?: BytesRange): IterableIterator<BytesEntry> {
    return this.#inner.range(range);
  }

  approximateCount(): number {
    return this.#inner.approximateCount();
  }

  setFlushListener(): boolean {
    return false;
  }

  flush(): void {
    this.#inner.flush();
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#inner.persist(changelogOffset);
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  restore(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void> {
    return this.#inner.restore(batch, changelogOffset, options);
  }

  wipe(): Promise<void> {
    return this.#inner.wipe();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

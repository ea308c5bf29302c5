import type { CommitOptions } from '../bytes-store.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import type { RestoreWrites } from '../packed-writes.ts';
import type { StateStore } from '../state-store.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { StoreMetrics } from '../store-metrics.ts';
import { OperationTimer } from './operation-timer.ts';
import type { StoreSerdes } from './store-serdes.ts';

export interface MeteredStoreOptions<K, V> {
  /** The top bytes layer: caching, change-logging or the layers below them. */
  readonly inner: KeyValueBytesLayer;
  readonly serdes: StoreSerdes<K, V>;
  readonly recordContext?: () => StoreRecordContext | undefined;
  /** Told the record context of each update forwarded at flush (StoreContext.forwarding). */
  readonly forwarding?: (record: StoreRecordContext | undefined) => void;
  readonly metrics?: StoreMetrics;
}

/**
 * What the typed outer layers of key-value, window and session stores share: the commit and restore
 * plumbing handed to the bytes layers below (timed when metrics are given), the record each change is
 * stamped with, and the forwarding context around flush listeners.
 */
export abstract class MeteredStore<K, V> implements StateStore {
  readonly name: string;
  readonly persistent: boolean;
  protected readonly inner: KeyValueBytesLayer;
  protected readonly serdes: StoreSerdes<K, V>;
  protected readonly timer: OperationTimer;
  readonly #recordContext: (() => StoreRecordContext | undefined) | undefined;
  readonly #forwarding: ((record: StoreRecordContext | undefined) => void) | undefined;

  constructor(options: MeteredStoreOptions<K, V>) {
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
    this.inner = options.inner;
    this.serdes = options.serdes;
    this.timer = new OperationTimer(this.name, options.metrics);
    this.#recordContext = options.recordContext;
    this.#forwarding = options.forwarding;
  }

  flush(): void {
    this.timer.time('flush', () => this.inner.flush());
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.timer.timeAsync('persist', () => this.inner.persist(changelogOffset));
  }

  changelogOffset(): number | undefined {
    return this.inner.changelogOffset();
  }

  /** Restores changelog records, whose keys are the stored bytes keys of the layers below. */
  restore(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void> {
    return this.timer.timeAsync('restore', () => this.inner.restore(batch, changelogOffset, options));
  }

  wipe(): Promise<void> {
    return this.inner.wipe();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The record being processed, or now when there is none (a write outside processing). */
  protected currentRecord(): StoreRecordContext {
    return this.#recordContext?.() ?? { timestamp: Date.now() };
  }

  /** Calls `deliver` with `record` as the forwarding context, so what the listener forwards carries it. */
  protected forwardFlushed(record: StoreRecordContext, deliver: () => void): void {
    const forwarding = this.#forwarding;
    forwarding?.(record);
    try {
      deliver();
    } finally {
      forwarding?.(undefined);
    }
  }
}

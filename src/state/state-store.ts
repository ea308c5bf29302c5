import type { Serde } from '../serdes/serde.ts';
import type { CommitOptions } from './bytes-store.ts';
import type { RestoreWrites } from './packed-writes.ts';
import type { StoreContext } from './store-context.ts';

/**
 * The minimal contract every state store meets, whatever its kind (key-value, window, session) and
 * backend (LMDB, memory). Processors find a store by name; the commit protocol (DESIGN.md) drives it in
 * two phases: `flush()` at step 1 and `persist()` at step 4, once the offsets covering the data are
 * committed. The phase-two hooks are optional so that simple stores (the legacy in-memory store, test
 * fakes) stay valid: a store without `persist` keeps nothing between commits.
 */
export interface StateStore {
  readonly name: string;
  /** True when the store keeps its data on disk (survives a restart without a full restore). */
  readonly persistent: boolean;
  /**
   * Commit step 1: forwards pending cached updates (flush listener) and sends them to the changelog. Does
   * not write to disk. Idempotent: a flush with nothing dirty does nothing.
   */
  flush(): void | Promise<void>;
  /**
   * Commit step 4: writes everything flushed since the last persist, plus `changelogOffset` (the next
   * changelog offset these data cover), to the bytes store in one transaction. Writes made after the last
   * flush stay buffered for the next commit.
   */
  persist?(changelogOffset?: number): Promise<void>;
  /** The changelog offset stored by the last persist or restore: where restoration starts (undefined: from the start). */
  changelogOffset?(): number | undefined;
  /**
   * Writes a batch of changelog records straight to the bytes store (no cache, no changelog) together with
   * `changelogOffset` (the offset after the batch's last record). Only before the task processes records.
   * `options.durable: false` skips the disk sync of this batch (restoration syncs its last batch only).
   */
  restore?(batch: RestoreWrites, changelogOffset: number, options?: CommitOptions): Promise<void>;
  /** Drops buffered writes and every stored entry and offset (before a restore from the changelog's start). */
  wipe?(): Promise<void>;
  /** Releases the store. Writes not yet persisted are dropped: they are not covered by committed offsets. */
  close(): void | Promise<void>;
}

/** Makes one store instance per task; the topology holds builders, tasks hold stores. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  /** Whether changes are written to a `<application.id>-<name>-changelog` topic. */
  readonly loggingEnabled: boolean;
  /** Topic configs for the changelog topic (on top of `cleanup.policy=compact`), when logging is enabled. */
  readonly loggingConfigs?: Readonly<Record<string, string>>;
  /** True when the built store keeps its data on disk. Absent: not persistent. */
  readonly persistent?: boolean;
  /** True when the built store has a write-back cache (updates are deduplicated and forwarded at flush). */
  readonly cachingEnabled?: boolean;
  /**
   * Makes the store for one task. `context` is given by the runtime or the TopologyTestDriver; builders
   * that need none (the legacy in-memory store) ignore it.
   */
  build(context?: StoreContext): S;
  /** What interactive queries may ask the built store; absent: an internal store, not queryable. */
  readonly queryKind?: 'key-value' | 'window' | 'session';
  /** The key serde given to the builder; absent: the application's default key serde. */
  readonly keySerde?: Serde<unknown> | undefined;
  /** Window stores: the size of each window (its end is start + size). */
  readonly windowSizeMs?: number;
}

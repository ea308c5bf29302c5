import type { Serde } from '../serdes/serde.ts';
import type { BytesStore } from './bytes-store.ts';
import type { StoreMetrics } from './store-metrics.ts';

/** The input record a change came from; the runtime turns it into changelog headers. */
export interface RecordSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** When (and from which input record) a store change happened. */
export interface StoreRecordContext {
  readonly timestamp: number;
  /** Absent for changes made outside record processing (wall-clock punctuation). */
  readonly source?: RecordSource;
}

/**
 * Where a store's changes go, one call per change (a null value is a tombstone). The runtime maps it to
 * `<applicationId>-<storeName>-changelog`, the task's partition, and adds the source topic/partition/offset
 * headers; stores never import the Kafka client. Sends are fire-and-forget: commit step 2 awaits them.
 */
export interface ChangelogSink {
  send(storeName: string, key: Buffer, value: Buffer | null, timestamp: number, source?: RecordSource): void;
}

/**
 * Everything a task gives its stores when it builds them: who they belong to, where their bytes live, where
 * their changes go, and how to ask for an early commit. Given by the runtime or the TopologyTestDriver.
 */
export interface StoreContext {
  readonly applicationId: string;
  /** The task id, like "0_1" (sub-topology 0, partition 1). */
  readonly taskId: string;
  readonly partition: number;
  readonly stateDir: string;
  /** Opens the task's bytes store for `storeName`: LMDB when `persistent`, memory otherwise. */
  openBytesStore(storeName: string, persistent: boolean): BytesStore;
  /** Absent: changes are not logged (e.g. a test driver without changelog topics). */
  readonly changelog?: ChangelogSink;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  /**
   * Asks the task to commit soon: called when a store's buffered writes outgrow their byte budget, since
   * uncommitted data never spills to disk. Called once per crossing, not on every write.
   */
  requestCommit(): void;
  /**
   * The record being processed, which stamps each change (changelog timestamp and headers, flush listener
   * timestamp). Absent or undefined: the wall clock and no source.
   */
  readonly recordContext?: () => StoreRecordContext | undefined;
  /**
   * Called by a caching store around each update it forwards at flush: with that update's record context
   * before the flush listener runs, with undefined after. The task stamps the changes downstream
   * processors make meanwhile with it (so their changelog records name the right source). Optional.
   */
  readonly forwarding?: (record: StoreRecordContext | undefined) => void;
  /** Byte budget of each store's write buffer or cache, unless its builder sets one (default 10 MiB). */
  readonly cacheMaxBytes?: number;
  /** Store operation metrics; absent: nothing is measured. */
  readonly metrics?: StoreMetrics;
  /**
   * Told every write to a key-value store as it happens (a null value: deleted), before any commit:
   * what interactive queries' change streams and long-polls follow. Absent: nobody listens.
   */
  readonly onChange?: StoreChangeListener;
}

export type StoreChangeListener = (storeName: string, key: unknown, value: unknown) => void;

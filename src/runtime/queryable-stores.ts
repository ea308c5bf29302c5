import type { Observable } from 'rxjs';
import { KStreamsError } from '../errors.ts';
import { partitionForKey } from '../kafka/murmur2.ts';
import type { Serde } from '../serdes/serde.ts';
import type { KeyValue } from '../state/key-value-store.ts';
import type { StateStore, StoreBuilder } from '../state/state-store.ts';

/** The typed key-value store layer's extras that queries use: stored key bytes (order, cursors, partitions). */
interface KeyedStore<K, V> extends StateStore {
  get(key: K): V | undefined;
  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>>;
  prefixScan(prefix: K): IterableIterator<KeyValue<K, V>>;
  all(): IterableIterator<KeyValue<K, V>>;
  approximateNumEntries(): number;
  keyBytes(key: K): Buffer;
  keyOf(bytes: Buffer): K;
}

/** A store entry with its stored key bytes: scans over several tasks merge by them. */
export interface PositionedEntry<K, V> extends KeyValue<K, V> {
  readonly keyBytes: Buffer;
}

export interface StoreRangeOptions<K> {
  /** Inclusive bounds. */
  readonly from?: K;
  readonly to?: K;
  readonly prefix?: K;
  /** Only entries whose stored key bytes sort after these (a page cursor). */
  readonly afterKeyBytes?: Buffer;
  readonly limit: number;
}

/**
 * A read-only view of one key-value store across this instance's tasks (Kafka Streams'
 * `streams.store(...)`). Reads route a key to its partition's task; while that task restores or moves,
 * reads fail with a retriable STORE_NOT_QUERYABLE rather than answer from stale state, unless the view
 * was asked for with `staleReads`.
 */
export interface QueryableKeyValueStore<K, V> {
  readonly name: string;
  /** The partition of the store's input that holds `key` (Java-compatible murmur2). */
  partitionOf(key: K): number;
  get(key: K): V | undefined;
  /**
   * A stale read (for views made with `staleReads`): the value now in the key's store, and how many
   * changelog records that store still has to restore (0: current as of its last commit).
   */
  getWithLag(key: K): { readonly value: V | undefined; readonly lag: number };
  /** Entries of every local task in stored-key order, bounded by `limit`. */
  range(options: StoreRangeOptions<K>): readonly PositionedEntry<K, V>[];
  approximateNumEntries(): number;
  /** Every write on this instance as it happens (a null value: deleted). */
  readonly changes$: Observable<{ readonly key: K; readonly value: V | null }>;
}

/** What the view needs from the application: its tasks' stores and their state. */
export interface StoreViewSource {
  /** Restored task stores by task name ("0_3"), or the global copy under "global". */
  localStores(storeName: string): ReadonlyMap<string, StateStore>;
  /** Every local task of the store, restored or not, by task name. */
  allLocalStores(storeName: string): ReadonlyMap<string, StateStore>;
  taskState(taskName: string): 'restored' | 'restoring' | undefined;
  storeChanges$(storeName: string): Observable<{ readonly key: unknown; readonly value: unknown }>;
  /** The sub-topology that owns the store, and the partition count of its input; undefined for globals. */
  storeLayout(
    storeName: string,
  ): { readonly subtopology: number; readonly partitions: number; readonly topic: string } | undefined;
  readonly defaultKeySerde: Serde<unknown>;
  /** Changelog records a store partition still has to restore here; undefined when unknown (not restoring). */
  restoreRemaining(storeName: string, partition: number): number | undefined;
}

/** Finds the local store instance that holds a key: its partition's task, or the global copy. */
function storeLocator<K>(source: StoreViewSource, builder: StoreBuilder, options: { readonly staleReads?: boolean }) {
  const name = builder.name;
  const keySerde = (builder.keySerde ?? source.defaultKeySerde) as Serde<K>;
  const layout = source.storeLayout(name);
  const storesNow = () => (options.staleReads === true ? source.allLocalStores(name) : source.localStores(name));

  const notQueryable = (reason: string) => notQueryableError(name, reason);

  const partitionOf = (key: K): number => {
    if (layout === undefined) return 0;
    const bytes = keySerde.serialize(layout.topic, key);
    if (bytes === null) {
      throw new KStreamsError('QUERY_INVALID', `A null key cannot be looked up in store "${name}".`, {
        hint: 'Give a key.',
      });
    }
    return partitionForKey(bytes, layout.partitions);
  };

  const storeFor = (key: K): StateStore => {
    if (layout === undefined) {
      const global = source.localStores(name).get('global');
      if (global === undefined) throw notQueryable('the global store is still loading.');
      return global;
    }
    const task = `${layout.subtopology}_${partitionOf(key)}`;
    const store = storesNow().get(task);
    if (store !== undefined) return store;
    const state = source.taskState(task);
    throw notQueryable(
      state === 'restoring' ? `task ${task} is restoring its state.` : `task ${task} does not run on this instance.`,
    );
  };

  return { name, layout, partitionOf, storeFor, storesNow };
}

export function queryableKeyValueStore<K, V>(
  source: StoreViewSource,
  builder: StoreBuilder,
  options: { readonly staleReads?: boolean } = {},
): QueryableKeyValueStore<K, V> {
  const { name, layout, partitionOf, storeFor: locate, storesNow } = storeLocator<K>(source, builder, options);
  const storeFor = (key: K) => locate(key) as KeyedStore<K, V>;
  const notQueryable = (reason: string) => notQueryableError(name, reason);
  return {
    name,
    partitionOf,
    get: (key) => storeFor(key).get(key),
    getWithLag: (key) => {
      const value = storeFor(key).get(key);
      const lag = layout === undefined ? 0 : (source.restoreRemaining(name, partitionOf(key)) ?? 0);
      return { value, lag };
    },
    range: (query) => {
      const stores = [...storesNow().entries()];
      if (layout !== undefined && options.staleReads !== true) {
        const restoring = [...source.allLocalStores(name).keys()].find((task) => !stores.some(([t]) => t === task));
        if (restoring !== undefined) throw notQueryable(`task ${restoring} is restoring its state.`);
      }
      const entries: PositionedEntry<K, V>[] = [];
      for (const [, store] of stores) entries.push(...rangeOf(store as KeyedStore<K, V>, query));
      entries.sort((a, b) => Buffer.compare(a.keyBytes, b.keyBytes));
      return entries.slice(0, query.limit);
    },
    approximateNumEntries: () => {
      let total = 0;
      for (const store of storesNow().values()) total += (store as KeyedStore<K, V>).approximateNumEntries();
      return total;
    },
    changes$: source.storeChanges$(name) as Observable<{ readonly key: K; readonly value: V | null }>,
  };
}

function notQueryableError(name: string, reason: string): KStreamsError {
  return new KStreamsError('STORE_NOT_QUERYABLE', `Store "${name}" cannot be queried here now: ${reason}`, {
    hint: 'Retry shortly (the task is restoring or moving), or ask the instance that owns the key.',
    retriable: true,
  });
}

/** One window (or session) of a key and its value. */
export interface WindowOfKey<V> {
  readonly startMs: number;
  readonly endMs: number;
  readonly value: V;
}

/**
 * A read-only view of a window or session store over this instance's tasks: a key's windows whose start
 * lies in [fromMs, toMs], routed to the key's task like key-value reads.
 */
export interface QueryableWindowStore<K, V> {
  readonly name: string;
  readonly kind: 'window' | 'session';
  partitionOf(key: K): number;
  fetch(key: K, fromMs: number, toMs: number): readonly WindowOfKey<V>[];
}

interface WindowReads<K, V> {
  fetch(key: K, timeFrom: number, timeTo: number): Iterable<{ windowStart: number; value: V }>;
}
interface SessionReads<K, V> {
  fetch(key: K): Iterable<{ session: { start: number; end: number }; value: V }>;
}

export function queryableWindowStore<K, V>(
  source: StoreViewSource,
  builder: StoreBuilder,
  options: { readonly staleReads?: boolean } = {},
): QueryableWindowStore<K, V> {
  const { name, partitionOf, storeFor } = storeLocator<K>(source, builder, options);
  const kind = builder.queryKind === 'session' ? 'session' : 'window';
  const size = builder.windowSizeMs ?? 0;
  return {
    name,
    kind,
    partitionOf,
    fetch: (key, fromMs, toMs) => {
      const store = storeFor(key);
      if (kind === 'session') {
        const out: WindowOfKey<V>[] = [];
        for (const { session, value } of (store as unknown as SessionReads<K, V>).fetch(key)) {
          if (session.start >= fromMs && session.start <= toMs)
            out.push({ startMs: session.start, endMs: session.end, value });
        }
        return out;
      }
      return [...(store as unknown as WindowReads<K, V>).fetch(key, fromMs, toMs)].map((w) => ({
        startMs: w.windowStart,
        endMs: w.windowStart + size,
        value: w.value,
      }));
    },
  };
}

/** Up to `limit` entries of one task's store, in stored-key order, within the bounds and after the cursor. */
function rangeOf<K, V>(store: KeyedStore<K, V>, query: StoreRangeOptions<K>): PositionedEntry<K, V>[] {
  const fromBytes = query.from === undefined ? undefined : store.keyBytes(query.from);
  const toBytes = query.to === undefined ? undefined : store.keyBytes(query.to);
  const after = query.afterKeyBytes;
  let iterator: IterableIterator<KeyValue<K, V>>;
  if (query.prefix !== undefined) iterator = store.prefixScan(query.prefix);
  else {
    // Start at the later of `from` and the cursor; the range's lower bound is inclusive.
    const startBytes =
      after !== undefined && (fromBytes === undefined || Buffer.compare(after, fromBytes) > 0) ? after : fromBytes;
    iterator = store.range(startBytes === undefined ? undefined : store.keyOf(startBytes));
  }
  const out: PositionedEntry<K, V>[] = [];
  for (const entry of iterator) {
    const keyBytes = store.keyBytes(entry.key);
    if (after !== undefined && Buffer.compare(keyBytes, after) <= 0) continue;
    if (fromBytes !== undefined && Buffer.compare(keyBytes, fromBytes) < 0) continue;
    if (toBytes !== undefined && Buffer.compare(keyBytes, toBytes) > 0) break;
    out.push({ key: entry.key, value: entry.value, keyBytes });
    if (out.length >= query.limit) break;
  }
  return out;
}

import type { ProcessorSupplier } from '../processor/processor.ts';
import type { TopicNameExtractor } from '../processor/topology.ts';
import type { Windowed } from '../serdes/windowed.ts';
import type { KeyValue } from '../state/key-value-store.ts';
import type { JoinWindows } from './join-windows.ts';
import type { Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined } from './options.ts';
import type { EmitStrategy } from './windows/emit-strategy.ts';
import type { SessionWindows } from './windows/session-windows.ts';
import type { SlidingWindows } from './windows/sliding-windows.ts';
import type { Suppressed } from './windows/suppressed.ts';
import type { TimeWindows } from './windows/time-windows.ts';

/*
 * The DSL's public interfaces. They live in one file because they refer to each other
 * (KStream -> KGroupedStream -> KTable -> KStream) and the import rules forbid cycles between files.
 *
 * Argument order: functions of key and value take `(key, value)` as in Kafka Streams; the *Values
 * functions take `(value, key)` so that one signature serves both the value-only and the with-key form
 * (Java's ValueMapper and ValueMapperWithKey) without guessing from a function's arity.
 */

export type { KeyValue, Windowed };

/** What a KTable node forwards: the key's new value and the value it replaces (`null` when absent). */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

export type Predicate<K, V> = (key: K, value: V) => boolean;
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;
export type ValueMapper<V, K, VR> = (value: V, key: K) => VR;
export type ForeachAction<K, V> = (key: K, value: V) => void;
export type Initializer<A> = () => A;
export type Aggregator<K, V, A> = (key: K, value: V, aggregate: A) => A;
export type Reducer<V> = (aggregate: V, value: V) => V;
/** Combines the values of two joined records; in left and outer joins a missing side is `null`. */
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR;

/** A record stream (Kafka Streams' KStream): every record is an independent event. */
export interface KStream<K, V> {
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  /** New key and value; the key changes, so a later grouping repartitions. */
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>;
  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named): KStream<K, VR>;
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR>;
  flatMapValues<VR>(mapper: ValueMapper<V, K, Iterable<VR>>, named?: Named): KStream<K, VR>;
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V>;
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V>;
  /** A terminal operation: runs `action` for each record and forwards nothing. */
  foreach(action: ForeachAction<K, V>, named?: Named): void;
  merge(other: KStream<K, V>, named?: Named): KStream<K, V>;
  /** Routes each record to the first branch whose predicate holds (Kafka Streams' `split()`). */
  split(named?: Named): BranchedKStream<K, V>;
  /** Runs a Processor API processor; the stores must be added to the topology by name beforehand. */
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, ...storeNames: string[]): KStream<KR, VR>;
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, named: Named, ...storeNames: string[]): KStream<KR, VR>;
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void;
  /** Writes to and reads back from `<application.id>-<name>-repartition`, in a new sub-topology. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>;
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>;
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>;
  /**
   * Joins records of the same key. With a stream: records at most `windows` apart (each side waits in a
   * window store). With a table: each record with the table's current value (table updates emit nothing).
   * With a global table: each record with the row `keySelector` picks. A changed key is repartitioned first.
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: KeyValueMapper<K, V, GK>,
    joiner: ValueJoiner<V, GV, VR>,
    named?: Named,
  ): KStream<K, VR>;
  /**
   * As `join`, but every record of this stream produces output: joined with `null` when nothing matches
   * (with a stream, only once its window has closed, so a late match is never preceded by a null result).
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR>,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  leftJoin<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: KeyValueMapper<K, V, GK>,
    joiner: ValueJoiner<V, GV | null, VR>,
    named?: Named,
  ): KStream<K, VR>;
  /** A windowed join in which unmatched records of either stream are joined with `null` once their window closes. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
}

/** One branch of a split: an optional name and, optionally, what to build on the branch's stream. */
export interface Branched<K, V> extends Named {
  /**
   * Builds on the branch; the stream it returns is put in the result map (nothing when it returns
   * `undefined`, e.g. when it ends the branch with `to`).
   */
  readonly chain?: (branch: KStream<K, V>) => KStream<K, V> | undefined;
}

/**
 * The result of `split()`: add branches in order, then close with `defaultBranch()` or `noDefaultBranch()`.
 * Map keys are the split's name followed by the branch's name (or its 1-based position; `0` for the default).
 */
export interface BranchedKStream<K, V> {
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V>;
  defaultBranch(branched?: Branched<K, V>): ReadonlyMap<string, KStream<K, V>>;
  noDefaultBranch(): ReadonlyMap<string, KStream<K, V>>;
}

/** A stream grouped by key, ready to aggregate into a KTable. */
export interface KGroupedStream<K, V> {
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number>;
  /** Combines values of the same key; the first value of a key is its first aggregate. */
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<K, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<K, VA>;
  /** Aggregates per key and time window (tumbling, hopping or sliding). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  /** Aggregates per key and session of activity. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
}

/** Combines the aggregates of two sessions that a record bridges (session windows only). */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/**
 * A grouped stream cut into time windows. Results are tables keyed by `Windowed<K>`, in a window store
 * kept for `Materialized.retentionMs` (default and minimum: window size + grace).
 */
export interface TimeWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA>;
  /** On every window update (default) or once per window when it closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
}

/** A grouped stream cut into sessions; results are tables keyed by `Windowed<K>` (window = session bounds). */
export interface SessionWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA>;
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
}

/**
 * A changelog stream (Kafka Streams' KTable): the latest value per key. Internally its nodes forward
 * `Change<V>` records; `toStream()` turns them back into plain records (a `null` value is a tombstone).
 */
export interface KTable<K, V> {
  filter(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  filterNot(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  toStream(named?: Named): KStream<K, V>;
  /**
   * Holds updates back (windowed tables only): `Suppressed.untilWindowCloses()` forwards each window's
   * final result once, when stream time passes its end + grace.
   */
  suppress(suppressed: Suppressed): KTable<K, V>;
  /**
   * Foreign-key join: each row joins the row of `other` whose key `foreignKeyExtractor` picks from its
   * value (through subscription and response topics, so the tables need not be co-partitioned). Rows
   * whose foreign key is `null` or has no match produce nothing.
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** Joins rows of the same key; an update on either side updates (or deletes) the result row. */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** As the foreign-key `join`, but every row of this table has a result: joined with `null` when nothing matches. */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** As `join`, but every row of this table has a result: joined with `null` when `other` has no row. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** As `join`, but a row of either table has a result, joined with `null` for the missing side. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** The store to query for this table, when it is materialized under a name. */
  queryableStoreName(): string | undefined;
}

/** A table replicated in full on every instance (Kafka Streams' GlobalKTable). */
export interface GlobalKTable<K, V> {
  queryableStoreName(): string;
  /** Phantom members so `GlobalKTable<string, number>` and `GlobalKTable<string, Order>` stay distinct. */
  readonly keyType?: K;
  readonly valueType?: V;
}

import type { TimestampExtractor } from '../processor/timestamp-extractor.ts';
import type { AutoOffsetReset, StreamPartitioner } from '../processor/topology.ts';
import type { Serde } from '../serdes/serde.ts';
import type { KeyValueBytesStoreSupplier } from '../state/key-value-bytes-store-supplier.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';
import type { StoreBuilder } from '../state/state-store.ts';

/**
 * The DSL's option objects (Kafka Streams' Consumed, Produced, Grouped, Named, Materialized, Repartitioned,
 * Branched) as plain typed objects: `{ keySerde: Serdes.string(), name: 'orders' }`. A serde left out falls
 * back to the one known upstream, then to the application's default serdes at runtime.
 */

/** Names an operator's processor node; without it the builder generates `KSTREAM-FILTER-0000000001`-style names. */
export interface Named {
  readonly name?: string;
}

export interface Consumed<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor;
  /** Where to start without a committed offset; default earliest. */
  readonly offsetReset?: AutoOffsetReset;
}

export interface Produced<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/**
 * How a grouping serializes records on its repartition topic. `name` names that topic
 * (`<application.id>-<name>-repartition`) and its nodes; renaming it later orphans the old topic.
 */
export interface Grouped<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
}

/** An explicit repartition (`KStream.repartition`): topic name, serdes, partition count and partitioner. */
export interface Repartitioned<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** Partitions of the repartition topic; default: as many as the upstream source topics. */
  readonly partitions?: number;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/**
 * Makes the whole store behind an aggregation or table (an escape hatch; `storeType`, `caching` and
 * `logging` cover the usual choices). A serde left undefined comes from the application's defaults.
 */
export type KeyValueStoreFactory<K, V> = (
  name: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
) => StoreBuilder<KeyValueStore<K, V>>;

/**
 * The state store behind a KTable. `storeName` makes it queryable and names its changelog topic
 * (`<application.id>-<storeName>-changelog`); renaming it later loses the state. By default the store is
 * persistent (LMDB), cached (updates are deduplicated and forwarded at commit) and logged, as in Kafka
 * Streams.
 */
export interface Materialized<K, V> {
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** `persistent` (LMDB, the default) or `in-memory` (restored in full from the changelog after a restart). */
  readonly storeType?: 'persistent' | 'in-memory';
  /** Where the store keeps its bytes, instead of `storeType` (Kafka Streams' `Materialized.as(supplier)`). */
  readonly storeSupplier?: KeyValueBytesStoreSupplier;
  /** The write-back cache (default on): off forwards every update downstream as it happens. */
  readonly caching?: boolean;
  /** The cache's byte budget (default: the application's cacheMaxBytesPerStore). */
  readonly cacheMaxBytes?: number;
  /** The changelog (default on): off means the store cannot be restored after a restart or a move. */
  readonly logging?: boolean;
  /** Configs of the changelog topic, on top of `cleanup.policy=compact`. */
  readonly loggingConfigs?: Readonly<Record<string, string>>;
  /** The whole store builder, overriding the options above. */
  readonly store?: KeyValueStoreFactory<K, V>;
  /**
   * Windowed aggregations only: how long windows stay in the store, in stream time. Default and minimum:
   * window size (or inactivity gap) + grace.
   */
  readonly retentionMs?: number;
}

/**
 * How a KStream-KStream join buffers each side (Kafka Streams' StreamJoined). Each side's records wait in
 * a window store for the other side's; `storeName` names them `<storeName>-this-join-store` and
 * `<storeName>-other-join-store` (and the left/outer join's `<storeName>-left-shared-join-store` or
 * `-outer-shared-join-store`), which also names their changelogs; `name` names the processors.
 */
export interface StreamJoined<K, V, VO> extends Named {
  readonly keySerde?: Serde<K>;
  /** The serde of this (left) stream's values. */
  readonly valueSerde?: Serde<V>;
  /** The serde of the other (right) stream's values. */
  readonly otherValueSerde?: Serde<VO>;
  readonly storeName?: string;
  /** `persistent` (LMDB, the default) or `in-memory` (restored in full from the changelog after a restart). */
  readonly storeType?: 'persistent' | 'in-memory';
  /** The changelogs of the join stores (default on). */
  readonly logging?: boolean;
  readonly loggingConfigs?: Readonly<Record<string, string>>;
}

/**
 * The serdes of a KStream-KTable join (Kafka Streams' Joined): used when a changed key forces the stream
 * side through a repartition topic, which `name` names (`<name>-repartition`) along with the join node.
 */
export interface Joined<K, V, VO> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** The table's value serde (documentation of intent; the table's store has its own). */
  readonly otherValueSerde?: Serde<VO>;
}

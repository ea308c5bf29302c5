import type { TimestampExtractor } from '../processor/timestamp-extractor.ts';
import type { AutoOffsetReset, StreamPartitioner } from '../processor/topology.ts';
import type { Serde } from '../serdes/serde.ts';
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

/** Makes the store behind an aggregation or table. Swap it to choose another store implementation. */
export type KeyValueStoreFactory<K, V> = (
  name: string,
  keySerde: Serde<K>,
  valueSerde: Serde<V> | undefined,
) => StoreBuilder<KeyValueStore<K, V>>;

/**
 * The state store behind a KTable. `storeName` makes it queryable and names its changelog topic
 * (`<application.id>-<storeName>-changelog`); renaming it later loses the state.
 */
export interface Materialized<K, V> {
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** The store implementation; default an in-memory key-value store (persistent stores come later). */
  readonly store?: KeyValueStoreFactory<K, V>;
}

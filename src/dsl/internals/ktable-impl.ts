import type { Serde } from '../../serdes/serde.ts';
import { ktableFilter } from '../operators/ktable-filter.ts';
import { ktableMapValues } from '../operators/ktable-map-values.ts';
import { ktableToStream } from '../operators/ktable-to-stream.ts';
import type { Materialized, Named } from '../options.ts';
import type { KStream, KTable, Predicate, ValueMapper } from '../types.ts';
import type { DslGraph } from './dsl-graph.ts';
import { keyValueStoreBuilder } from './materialize.ts';

export interface TableState<K, V> {
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly queryableStoreName: string | undefined;
}

/**
 * A KTable node in the graph. Derived tables (filter, mapValues) are materialized only when the caller
 * names a store, as in Kafka Streams; otherwise they compute each Change from their parent's.
 */
export class KTableImpl<K, V> implements KTable<K, V> {
  readonly #graph: DslGraph;
  readonly #state: TableState<K, V>;

  constructor(graph: DslGraph, state: TableState<K, V>) {
    this.#graph = graph;
    this.#state = state;
  }

  filter(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, named, materialized);
  }

  filterNot(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, named, materialized);
  }

  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR> {
    this.#burnUnnamedStore(materialized);
    const name = this.#graph.nameOr(named, 'KTABLE-MAPVALUES-');
    const storeName = materialized?.storeName;
    this.#graph.topology.addProcessor(name, ktableMapValues(mapper, storeName), this.#state.nodeName);
    const keySerde = materialized?.keySerde ?? this.#state.keySerde;
    const valueSerde = materialized?.valueSerde;
    if (storeName !== undefined) {
      this.#graph.topology.addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), name);
    }
    return new KTableImpl(this.#graph, { nodeName: name, keySerde, valueSerde, queryableStoreName: storeName });
  }

  toStream(named?: Named): KStream<K, V> {
    const name = this.#graph.nameOr(named, 'KTABLE-TOSTREAM-');
    this.#graph.topology.addProcessor(name, ktableToStream<K, V>(), this.#state.nodeName);
    return this.#graph.stream<K, V>({
      nodeName: name,
      keySerde: this.#state.keySerde,
      valueSerde: this.#state.valueSerde,
      repartitionRequired: false,
    });
  }

  queryableStoreName(): string | undefined {
    return this.#state.queryableStoreName;
  }

  #filter(predicate: Predicate<K, V>, negate: boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    this.#burnUnnamedStore(materialized);
    const name = this.#graph.nameOr(named, 'KTABLE-FILTER-');
    const storeName = materialized?.storeName;
    this.#graph.topology.addProcessor(name, ktableFilter(predicate, negate, storeName), this.#state.nodeName);
    const keySerde = materialized?.keySerde ?? this.#state.keySerde;
    const valueSerde = materialized?.valueSerde ?? this.#state.valueSerde;
    if (storeName !== undefined) {
      this.#graph.topology.addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), name);
    }
    return new KTableImpl(this.#graph, { nodeName: name, keySerde, valueSerde, queryableStoreName: storeName });
  }

  /** Kafka Streams spends a store-name index on a Materialized without a name, and materializes nothing. */
  #burnUnnamedStore(materialized: { readonly storeName?: string } | undefined): void {
    if (materialized !== undefined && materialized.storeName === undefined) this.#graph.burnIndex();
  }
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { Serde } from '../../serdes/serde.ts';
import { Serdes } from '../../serdes/serdes.ts';
import { kstreamAggregate } from '../operators/kstream-aggregate.ts';
import { kstreamReduce } from '../operators/kstream-reduce.ts';
import type { Materialized, Named } from '../options.ts';
import type {
  Aggregator,
  Change,
  Initializer,
  KGroupedStream,
  KTable,
  Reducer,
  SessionWindowedKStream,
  TimeWindowedKStream,
} from '../types.ts';
import type { SessionWindows } from '../windows/session-windows.ts';
import type { SlidingWindows } from '../windows/sliding-windows.ts';
import type { TimeWindows } from '../windows/time-windows.ts';
import type { DslGraph } from './dsl-graph.ts';
import { KTableImpl } from './ktable-impl.ts';
import { storeValueGetter } from './ktable-value-getter.ts';
import { keyValueStoreBuilder } from './materialize.ts';
import { addRepartition } from './repartition.ts';
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.ts';
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.ts';
import type { WindowedSource } from './windowed-aggregation.ts';

export interface GroupedState<K, V> {
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly repartitionRequired: boolean;
  /** The user's Grouped name: names the repartition topic instead of the store name. */
  readonly repartitionName: string | undefined;
}

interface AggregationSpec<K, VA> {
  readonly storePrefix: string;
  readonly materialized: Materialized<K, VA> | undefined;
  readonly named: Named | undefined;
  readonly valueSerde: Serde<VA> | undefined;
  readonly supplier: (storeName: string) => ProcessorSupplier<K, unknown, K, Change<VA>>;
}

/**
 * A grouped stream. Aggregating it adds, when the key was changed upstream, a repartition topic named
 * after the Grouped name or else the store (`<store>-repartition`), then the aggregate node and its store.
 */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  readonly #graph: DslGraph;
  readonly #state: GroupedState<K, V>;
  // With a user-named topic, later aggregations of the same grouping read the same repartition topic.
  #namedRepartitionSource: string | undefined;

  constructor(graph: DslGraph, state: GroupedState<K, V>) {
    this.#graph = graph;
    this.#state = state;
  }

  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    // Kafka Streams spends an extra index here when a Materialized without a name is passed.
    if (materialized !== undefined && materialized.storeName === undefined) this.#graph.burnIndex();
    return this.#aggregate<number>({
      storePrefix: 'KSTREAM-AGGREGATE-',
      materialized,
      named,
      valueSerde: materialized?.valueSerde ?? Serdes.long(),
      supplier: (store) =>
        kstreamAggregate<K, unknown, number>(
          store,
          () => 0,
          (_key, _value, count) => count + 1,
        ),
    });
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    return this.#aggregate<V>({
      storePrefix: 'KSTREAM-REDUCE-',
      materialized,
      named,
      valueSerde: materialized?.valueSerde ?? this.#state.valueSerde,
      supplier: (store) => kstreamReduce<K, V>(store, reducer) as ProcessorSupplier<K, unknown, K, Change<V>>,
    });
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<K, VA> {
    return this.#aggregate<VA>({
      storePrefix: 'KSTREAM-AGGREGATE-',
      materialized,
      named,
      valueSerde: materialized?.valueSerde,
      supplier: (store) =>
        kstreamAggregate<K, V, VA>(store, initializer, aggregator) as ProcessorSupplier<K, unknown, K, Change<VA>>,
    });
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    const source: WindowedSource<K, V> = {
      keySerde: this.#state.keySerde,
      valueSerde: this.#state.valueSerde,
      parentFor: (storeName, operator, storeNamed) =>
        this.#state.repartitionRequired ? this.#repartition(storeName, operator, storeNamed) : this.#state.nodeName,
    };
    return windows.kind === 'session'
      ? new SessionWindowedKStreamImpl<K, V>(this.#graph, source, windows)
      : new TimeWindowedKStreamImpl<K, V>(this.#graph, source, windows);
  }

  #aggregate<VA>(spec: AggregationSpec<K, VA>): KTable<K, VA> {
    const graph = this.#graph;
    const userStoreName = spec.materialized?.storeName;
    const storeName = userStoreName ?? graph.newStoreName(spec.storePrefix);
    const name = graph.nameOr(spec.named, spec.storePrefix);
    const keySerde = spec.materialized?.keySerde ?? this.#state.keySerde;
    if (userStoreName === undefined) {
      graph.noteGeneratedName({
        resource: 'state store',
        name: storeName,
        operator: name,
        fix: 'pass Materialized with a storeName',
      });
    }

    let parent = this.#state.nodeName;
    if (this.#state.repartitionRequired) parent = this.#repartition(storeName, name, userStoreName !== undefined);

    graph.topology.addProcessor(name, spec.supplier(storeName), parent);
    graph.topology.addStateStore(keyValueStoreBuilder(storeName, spec.materialized, keySerde, spec.valueSerde), name);
    return new KTableImpl<K, VA>(graph, {
      nodeName: name,
      keySerde,
      valueSerde: spec.valueSerde,
      queryableStoreName: userStoreName,
      valueGetter: () => storeValueGetter<K, VA>(storeName),
    });
  }

  #repartition(storeName: string, operator: string, storeNamed: boolean): string {
    const userName = this.#state.repartitionName;
    if (userName !== undefined && this.#namedRepartitionSource !== undefined) {
      // Kafka Streams spends the repartition's three indexes even when it reuses the named topic.
      for (let i = 0; i < 3; i++) this.#graph.burnIndex();
      return this.#namedRepartitionSource;
    }
    // Without a Grouped name the topic takes the store's name: generated only if the store's is.
    if (userName === undefined && !storeNamed) {
      this.#graph.noteGeneratedName({
        resource: 'repartition topic',
        name: `${storeName}-repartition`,
        operator,
        fix: 'pass Grouped with a name to groupBy/groupByKey',
      });
    }
    const source = addRepartition<K, V>(this.#graph, {
      parent: this.#state.nodeName,
      topicPrefix: userName ?? storeName,
      keySerde: this.#state.keySerde,
      valueSerde: this.#state.valueSerde,
      dropNullKeys: true,
    });
    if (userName !== undefined) this.#namedRepartitionSource = source;
    return source;
  }
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { StateStore, StoreBuilder } from '../../state/state-store.ts';
import type { Materialized, Named } from '../options.ts';
import type { Change, KTable } from '../types.ts';
import type { DslGraph } from './dsl-graph.ts';
import { KTableImpl } from './ktable-impl.ts';
import { emitProgressStoreBuilder } from './materialize-windowed.ts';
import type { WindowedTableInfo } from './windowed-table-info.ts';

/** The grouped stream a windowed aggregation reads. */
export interface WindowedSource<K, V> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The node to read from: a repartition topic's source when the key was changed upstream. */
  parentFor(storeName: string, operatorName: string, storeNamed: boolean): string;
}

export interface WindowedAggregationSpec<K, VA> {
  readonly storePrefix: string;
  readonly materialized: Materialized<K, VA> | undefined;
  readonly named: Named | undefined;
  readonly valueSerde: Serde<VA> | undefined;
  readonly window: WindowedTableInfo;
  readonly supplier: (storeName: string) => ProcessorSupplier<K, unknown, Windowed<K>, Change<VA>>;
  readonly store: (
    storeName: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VA> | undefined,
  ) => StoreBuilder<StateStore>;
  /** Emitting on window close: the aggregation also keeps its progress in a store. */
  readonly emitOnClose: boolean;
}

/**
 * Adds a windowed aggregation and its store, named as Kafka Streams names them (store first, then the
 * processor), and returns the result table keyed by `Windowed<K>`.
 */
export function addWindowedAggregation<K, V, VA>(
  graph: DslGraph,
  source: WindowedSource<K, V>,
  spec: WindowedAggregationSpec<K, VA>,
): KTable<Windowed<K>, VA> {
  const userStoreName = spec.materialized?.storeName;
  const storeName = userStoreName ?? graph.newStoreName(spec.storePrefix);
  const name = graph.nameOr(spec.named, spec.storePrefix);
  const keySerde = spec.materialized?.keySerde ?? source.keySerde;
  if (userStoreName === undefined) {
    graph.noteGeneratedName({
      resource: 'state store',
      name: storeName,
      operator: name,
      fix: 'pass Materialized with a storeName',
    });
  }
  // Built before the graph changes, so an invalid retention fails without leaving half a node behind.
  const store = spec.store(storeName, keySerde, spec.valueSerde);
  const parent = source.parentFor(storeName, name, userStoreName !== undefined);
  graph.topology.addProcessor(name, spec.supplier(storeName), parent);
  graph.topology.addStateStore(store, name);
  if (spec.emitOnClose) {
    graph.topology.addStateStore(
      emitProgressStoreBuilder(storeName, spec.materialized as Materialized<unknown, unknown> | undefined),
      name,
    );
  }
  return new KTableImpl<Windowed<K>, VA>(graph, {
    nodeName: name,
    keySerde:
      keySerde === undefined
        ? undefined
        : (spec.window.windowedSerde(keySerde as Serde<unknown>) as Serde<Windowed<K>>),
    valueSerde: spec.valueSerde,
    queryableStoreName: userStoreName,
    window: spec.window,
  });
}

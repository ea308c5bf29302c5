import type { KeyValueStore } from '../../state/key-value-store.ts';
import { kstreamKTableJoin } from '../operators/kstream-ktable-join.ts';
import type { Joined, Named } from '../options.ts';
import type { KeyValueMapper } from '../types.ts';
import type { DslGraph, StreamState } from './dsl-graph.ts';
import { repartitionForJoin } from './join-repartition.ts';
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts';

export interface StreamTableJoinSpec<K, V, VT, VR> {
  readonly stream: StreamState<K, V>;
  /** Reads the table's current values (materializing a source table, as Kafka Streams does). */
  readonly table: KTableValueGetterSupplier<K, VT>;
  readonly joiner: (value: V, tableValue: VT | null) => VR;
  readonly joined: Joined<K, V, VT> | undefined;
  readonly left: boolean;
}

/**
 * Adds a KStream-KTable join: the stream (repartitioned first if its key changed, so that it is
 * co-partitioned with the table) looks each record up in the table's store. The store is connected to the
 * join node, which puts the stream and the table in one sub-topology, hence one task per partition.
 */
export function addStreamTableJoin<K, V, VT, VR>(
  graph: DslGraph,
  spec: StreamTableJoinSpec<K, V, VT, VR>,
): StreamState<K, VR> {
  const keySerde = spec.joined?.keySerde ?? spec.stream.keySerde;
  const valueSerde = spec.joined?.valueSerde ?? spec.stream.valueSerde;
  const stream = repartitionForJoin(graph, spec.stream, spec.joined?.name, keySerde, valueSerde);
  const name = graph.nameOr(spec.joined, spec.left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  graph.topology
    .addProcessor(
      name,
      kstreamKTableJoin<K, V, K, VT, VR>({
        lookup: (context) => spec.table.bind(context),
        tableKey: (key) => key,
        selectNullKeys: false,
        left: spec.left,
        joiner: spec.joiner,
      }),
      stream.nodeName,
    )
    .connectProcessorAndStateStores(...spec.table.storeNames.map((store) => [name, store] as const));
  return { nodeName: name, keySerde, valueSerde: undefined, repartitionRequired: false };
}

export interface StreamGlobalTableJoinSpec<K, V, GK, GV, VR> {
  readonly stream: StreamState<K, V>;
  readonly globalStore: string;
  readonly keySelector: KeyValueMapper<K, V, GK>;
  readonly joiner: (value: V, tableValue: GV | null) => VR;
  readonly named: Named | undefined;
  readonly left: boolean;
}

/**
 * Adds a KStream-GlobalKTable join: every instance holds the whole global table, so the stream needs no
 * repartitioning and the key selector may pick any row. The global store is not connected to the node
 * (that would merge sub-topologies); the processor reads it by name, as in Kafka Streams.
 */
export function addStreamGlobalTableJoin<K, V, GK, GV, VR>(
  graph: DslGraph,
  spec: StreamGlobalTableJoinSpec<K, V, GK, GV, VR>,
): StreamState<K, VR> {
  const name = graph.nameOr(spec.named, spec.left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  graph.topology.addProcessor(
    name,
    kstreamKTableJoin<K, V, GK, GV, VR>({
      lookup: (context) => {
        const store = context.getStateStore<KeyValueStore<GK, GV>>(spec.globalStore);
        return (key) => store.get(key) ?? null;
      },
      tableKey: spec.keySelector,
      selectNullKeys: true,
      left: spec.left,
      joiner: spec.joiner,
    }),
    spec.stream.nodeName,
  );
  return { ...spec.stream, nodeName: name, valueSerde: undefined } as StreamState<K, VR>;
}

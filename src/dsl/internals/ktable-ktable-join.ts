import { ktableKTableJoin, ktableKTableJoinValueGetter } from '../operators/ktable-ktable-join.ts';
import { ktableKTableJoinMerger } from '../operators/ktable-ktable-join-merger.ts';
import type { Materialized, Named } from '../options.ts';
import type { ValueJoiner } from '../types.ts';
import type { DslGraph } from './dsl-graph.ts';
import type { TableState } from './ktable-impl.ts';
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts';
import { storeValueGetter } from './ktable-value-getter.ts';
import { keyValueStoreBuilder } from './materialize.ts';

/** One input of a join: the table's state and how to read its current values. */
export interface JoinSide<K, V> {
  readonly state: TableState<K, V>;
  readonly valueGetter: () => KTableValueGetterSupplier<K, V>;
}

export interface TableTableJoinSpec<K, V, VO, VR> {
  readonly kind: 'inner' | 'left' | 'outer';
  readonly left: JoinSide<K, V>;
  readonly right: JoinSide<K, VO>;
  readonly joiner: ValueJoiner<V | null, VO | null, VR>;
  readonly named: Named | undefined;
  readonly materialized: Materialized<K, VR> | undefined;
}

/**
 * Adds a KTable-KTable join as Kafka Streams' KTableImpl.doJoin does: KTABLE-JOINTHIS- on this table
 * reading the other's values, KTABLE-JOINOTHER- the reverse, both into KTABLE-MERGE- (the result, with its
 * store when `materialized` is given). Each side's getter materializes a source table that has no store.
 * A name gives `<name>`, `<name>-join-this`, `<name>-join-other`.
 */
export function addTableTableJoin<K, V, VO, VR>(
  graph: DslGraph,
  spec: TableTableJoinSpec<K, V, VO, VR>,
): TableState<K, VR> {
  const { materialized, named } = spec;
  // Kafka Streams names the store before the nodes.
  const storeName =
    materialized === undefined ? undefined : (materialized.storeName ?? graph.newStoreName('KTABLE-MERGE-'));
  const mergeName = graph.nameOr(named, 'KTABLE-MERGE-');
  const thisName = named?.name === undefined ? graph.newProcessorName('KTABLE-JOINTHIS-') : `${named.name}-join-this`;
  const otherName =
    named?.name === undefined ? graph.newProcessorName('KTABLE-JOINOTHER-') : `${named.name}-join-other`;
  if (storeName !== undefined && materialized?.storeName === undefined) {
    graph.noteGeneratedName({
      resource: 'state store',
      name: storeName,
      operator: mergeName,
      fix: 'pass Materialized with a storeName to the join',
    });
  }

  const leftValues = spec.left.valueGetter();
  const rightValues = spec.right.valueGetter();
  const otherKind = spec.kind === 'left' ? 'right' : spec.kind;
  const reversed: ValueJoiner<VO | null, V | null, VR> = (right, left) => spec.joiner(left, right);
  const topology = graph.topology;
  topology
    .addProcessor(thisName, ktableKTableJoin(spec.kind, rightValues, spec.joiner), spec.left.state.nodeName)
    .addProcessor(otherName, ktableKTableJoin(otherKind, leftValues, reversed), spec.right.state.nodeName)
    .addProcessor(mergeName, ktableKTableJoinMerger<K, VR>(storeName), thisName, otherName)
    .connectProcessorAndStateStores(
      ...rightValues.storeNames.map((store) => [thisName, store] as const),
      ...leftValues.storeNames.map((store) => [otherName, store] as const),
    );

  const keySerde = materialized?.keySerde ?? spec.left.state.keySerde;
  const valueSerde = materialized?.valueSerde;
  if (storeName !== undefined) {
    topology.addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), mergeName);
  }
  return {
    nodeName: mergeName,
    keySerde,
    valueSerde,
    queryableStoreName: materialized?.storeName,
    valueGetter: () =>
      storeName !== undefined
        ? storeValueGetter<K, VR>(storeName)
        : ktableKTableJoinValueGetter(spec.kind, leftValues, rightValues, spec.joiner),
  };
}

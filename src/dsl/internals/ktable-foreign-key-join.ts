import type { StreamPartitioner } from '../../processor/topology.ts';
import type { Serde } from '../../serdes/serde.ts';
import { Serdes } from '../../serdes/serdes.ts';
import { foreignTableJoin } from '../operators/foreign-key/foreign-table-join.ts';
import { responseJoin } from '../operators/foreign-key/response-join.ts';
import { subscriptionJoin } from '../operators/foreign-key/subscription-join.ts';
import { subscriptionReceive } from '../operators/foreign-key/subscription-receive.ts';
import {
  type SubscriptionResponseWrapper,
  subscriptionResponseWrapperSerde,
} from '../operators/foreign-key/subscription-response-wrapper.ts';
import { subscriptionSend } from '../operators/foreign-key/subscription-send.ts';
import { subscriptionWrapperSerde } from '../operators/foreign-key/subscription-wrapper.ts';
import { ktableSource } from '../operators/ktable-source.ts';
import type { Materialized, Named } from '../options.ts';
import type { ValueJoiner } from '../types.ts';
import { type DslGraph, dslError } from './dsl-graph.ts';
import type { TableState } from './ktable-impl.ts';
import type { JoinSide } from './ktable-ktable-join.ts';
import { storeValueGetter } from './ktable-value-getter.ts';
import { keyValueStoreBuilder } from './materialize.ts';

export interface ForeignKeyJoinSpec<K, V, KO, VO, VR> {
  readonly left: JoinSide<K, V>;
  readonly right: JoinSide<KO, VO>;
  readonly foreignKeyExtractor: (value: V) => KO | null;
  readonly joiner: ValueJoiner<V, VO | null, VR>;
  readonly leftJoin: boolean;
  readonly named: Named | undefined;
  readonly materialized: Materialized<K, VR> | undefined;
}

/**
 * Adds a foreign-key join as Kafka Streams' KTableImpl.doJoinOnForeignKey does. Left side: subscribe
 * each row to its foreign key on `<app>-<name>-subscription-registration-topic` (partitioned like the
 * right table), resolve responses from `<app>-<name>-subscription-response-topic` (partitioned like the
 * left table) against the row's current value. Right side: keep subscriptions in a store and answer them,
 * and on each right update answer every subscriber. The result is a table source (KTABLE-FK-JOIN-OUTPUT-),
 * materialized when `materialized` names a store.
 */
export function addForeignKeyJoin<K, V, KO, VO, VR>(
  graph: DslGraph,
  spec: ForeignKeyJoinSpec<K, V, KO, VO, VR>,
): TableState<K, VR> {
  const name = spec.named?.name;
  const nameOf = (suffix: string, prefix: string) =>
    name === undefined ? graph.newProcessorName(prefix) : `${name}${suffix}`;
  const serdes = requiredSerdes(spec);

  const subscriptionTopic = `${nameOf('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`;
  const sendName = nameOf('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  const subscriptionSinkName = nameOf('-subscription-registration-sink', 'KTABLE-SINK-');
  const subscriptionSourceName = nameOf('-subscription-registration-source', 'KTABLE-SOURCE-');
  const subscriptionStore = nameOf('-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-');
  const receiveName = nameOf('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const joinForeignName = nameOf('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const foreignJoinName = nameOf('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const responseTopic = `${nameOf('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`;
  const responseSinkName = nameOf('-subscription-response-sink', 'KTABLE-SINK-');
  const responseSourceName = nameOf('-subscription-response-source', 'KTABLE-SOURCE-');
  const resolverName = nameOf(
    '-subscription-response-resolver',
    'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-',
  );
  const resultName = nameOf('-result', 'KTABLE-FK-JOIN-OUTPUT-');
  const resultStore = spec.materialized?.storeName ?? graph.newStoreName('KTABLE-FK-JOIN-OUTPUT-');
  if (name === undefined) {
    for (const topic of [subscriptionTopic, responseTopic]) {
      graph.noteGeneratedName({
        resource: 'repartition topic',
        name: topic,
        operator: resultName,
        fix: 'pass Named with a name to the foreign-key join',
      });
    }
    graph.noteGeneratedName({
      resource: 'state store',
      name: subscriptionStore,
      operator: resultName,
      fix: 'pass Named with a name to the foreign-key join',
    });
  }

  const subscriptionSerde = subscriptionWrapperSerde(serdes.leftKey);
  const responseSerde = subscriptionResponseWrapperSerde(serdes.rightValue);
  const leftValues = spec.left.valueGetter();
  const rightValues = spec.right.valueGetter();
  // Responses go back to the partition of the left row that subscribed, as in Kafka Streams.
  const toSubscriberPartition: StreamPartitioner<K, SubscriptionResponseWrapper<VO>> = (_topic, record) =>
    record.value.primaryPartition;

  const topology = graph.topology;
  topology
    .addInternalTopic(subscriptionTopic, { kind: 'repartition' })
    .addProcessor(
      sendName,
      subscriptionSend<K, V, KO>({
        foreignKeyExtractor: spec.foreignKeyExtractor,
        foreignKeySerializer: serdes.rightKey,
        valueSerializer: serdes.leftValue,
        leftJoin: spec.leftJoin,
        topic: subscriptionTopic,
      }),
      spec.left.state.nodeName,
    )
    .addSink(
      subscriptionSinkName,
      subscriptionTopic,
      { keySerializer: serdes.rightKey, valueSerializer: subscriptionSerde },
      sendName,
    )
    .addSource(subscriptionSourceName, subscriptionTopic, {
      keyDeserializer: serdes.rightKey,
      valueDeserializer: subscriptionSerde,
    })
    .addProcessor(
      receiveName,
      subscriptionReceive<K, KO>({
        storeName: subscriptionStore,
        foreignKeySerializer: serdes.rightKey,
        primaryKeySerializer: serdes.leftKey,
        topic: subscriptionTopic,
      }),
      subscriptionSourceName,
    )
    .addStateStore(keyValueStoreBuilder(subscriptionStore, undefined, Serdes.bytes(), subscriptionSerde), receiveName)
    .addProcessor(joinForeignName, subscriptionJoin<K, KO, VO>(rightValues), receiveName)
    .addProcessor(
      foreignJoinName,
      foreignTableJoin<K, KO, VO>({
        storeName: subscriptionStore,
        foreignKeySerializer: serdes.rightKey,
        topic: subscriptionTopic,
      }),
      spec.right.state.nodeName,
    )
    .connectProcessorAndStateStores(
      [foreignJoinName, subscriptionStore],
      ...rightValues.storeNames.map((store) => [joinForeignName, store] as const),
    )
    .addInternalTopic(responseTopic, { kind: 'repartition' })
    .addSink(
      responseSinkName,
      responseTopic,
      { keySerializer: serdes.leftKey, valueSerializer: responseSerde, partitioner: toSubscriberPartition },
      joinForeignName,
      foreignJoinName,
    )
    .addSource(responseSourceName, responseTopic, { keyDeserializer: serdes.leftKey, valueDeserializer: responseSerde })
    .addProcessor(
      resolverName,
      responseJoin<K, V, VO, VR>({
        leftTable: leftValues,
        valueSerializer: serdes.leftValue,
        joiner: spec.joiner,
        leftJoin: spec.leftJoin,
        topic: subscriptionTopic,
      }),
      responseSourceName,
    )
    .connectProcessorAndStateStores(...leftValues.storeNames.map((store) => [resolverName, store] as const));

  // Materialized when named, or later when a join needs to read the result.
  let materializedStore: string | undefined;
  const keySerde = spec.materialized?.keySerde ?? serdes.leftKey;
  const valueSerde = spec.materialized?.valueSerde;
  const materialize = (): string => {
    if (materializedStore === undefined) {
      materializedStore = resultStore;
      topology.addStateStore(keyValueStoreBuilder(resultStore, spec.materialized, keySerde, valueSerde), resultName);
    }
    return materializedStore;
  };
  topology.addProcessor(
    resultName,
    ktableSource<K, VR>(() => materializedStore),
    resolverName,
  );
  if (spec.materialized?.storeName !== undefined) materialize();
  return {
    nodeName: resultName,
    keySerde,
    valueSerde,
    queryableStoreName: spec.materialized?.storeName,
    valueGetter: () => storeValueGetter<K, VR>(materialize()),
  };
}

/** The serdes the join's internal records need; kstreams cannot yet fall back to the defaults inside them. */
function requiredSerdes<K, V, KO, VO, VR>(spec: ForeignKeyJoinSpec<K, V, KO, VO, VR>) {
  const need = <T>(serde: Serde<T> | undefined, what: string): Serde<T> => {
    if (serde !== undefined) return serde;
    throw dslError(
      `The foreign-key join needs the ${what}, which the builder does not know.`,
      `Pass it where the table is created (Consumed or Materialized keySerde/valueSerde): the join's internal records embed it, so the default serdes cannot be used.`,
    );
  };
  return {
    leftKey: need(spec.left.state.keySerde, "left table's key serde"),
    leftValue: need(spec.left.state.valueSerde, "left table's value serde"),
    rightKey: need(spec.right.state.keySerde, "right (foreign) table's key serde"),
    rightValue: need(spec.right.state.valueSerde, "right (foreign) table's value serde"),
  };
}

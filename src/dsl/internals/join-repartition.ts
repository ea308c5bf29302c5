import type { Serde } from '../../serdes/serde.ts';
import type { DslGraph, StreamState } from './dsl-graph.ts';
import { addRepartition } from './repartition.ts';

const generatedName = /^KSTREAM.*-\d{10}$/;

/**
 * Sends one side of a join through a repartition topic when its key was changed upstream, so both sides
 * are partitioned by the join key and read by one task (Kafka Streams' `repartitionForJoin`). The topic is
 * `<name>-repartition` for a named join (`<join>-left`, `<join>-right`, ...) or else `<upstream node>-repartition`.
 * Records with a null key cannot join and are dropped before the topic.
 */
export function repartitionForJoin<K, V>(
  graph: DslGraph,
  side: StreamState<K, V>,
  name: string | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StreamState<K, V> {
  if (!side.repartitionRequired) return side;
  const topicPrefix = name ?? side.nodeName;
  if (name === undefined && generatedName.test(side.nodeName)) {
    graph.noteGeneratedName({
      resource: 'repartition topic',
      name: `${topicPrefix}-repartition`,
      operator: side.nodeName,
      fix: 'name the join (StreamJoined or Joined with a name)',
    });
  }
  const source = addRepartition<K, V>(graph, {
    parent: side.nodeName,
    topicPrefix,
    keySerde,
    valueSerde,
    dropNullKeys: true,
  });
  return { nodeName: source, keySerde, valueSerde, repartitionRequired: false };
}

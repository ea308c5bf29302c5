import type { StreamPartitioner } from '../../processor/topology.ts';
import type { Serde } from '../../serdes/serde.ts';
import { kstreamFilter } from '../operators/kstream-filter.ts';
import type { DslGraph } from './dsl-graph.ts';

export interface RepartitionSpec<K, V> {
  /** The node whose records go through the topic. */
  readonly parent: string;
  /** The topic's name before `-repartition` (a user name, or a generated store or operator name). */
  readonly topicPrefix: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly partitions?: number | undefined;
  readonly partitioner?: StreamPartitioner<K, V> | undefined;
  /** Groupings drop null keys before the topic (an aggregation would drop them anyway). */
  readonly dropNullKeys: boolean;
}

const generatedName = /^KSTREAM.*-\d{10}$/;

/**
 * Writes parent -> filter -> sink to `<prefix>-repartition` and a source reading it back, which starts a
 * new sub-topology. Returns the source's name. Node names follow Kafka Streams: three indexes are always
 * used; a user-named topic gives `<topic>-sink`, `<topic>-filter` and `<topic>-source`.
 */
export function addRepartition<K, V>(graph: DslGraph, spec: RepartitionSpec<K, V>): string {
  const topic = spec.topicPrefix.endsWith('-repartition') ? spec.topicPrefix : `${spec.topicPrefix}-repartition`;
  const sinkName = graph.newProcessorName('KSTREAM-SINK-');
  const filterName = graph.newProcessorName('KSTREAM-FILTER-');
  const sourceName = graph.newProcessorName('KSTREAM-SOURCE-');
  const generated = generatedName.test(spec.topicPrefix);
  const names = generated
    ? { sink: sinkName, filter: filterName, source: sourceName }
    : { sink: `${topic}-sink`, filter: `${topic}-filter`, source: `${topic}-source` };

  const keep = spec.dropNullKeys ? (key: K) => key !== null && key !== undefined : () => true;
  graph.topology
    .addInternalTopic(topic, {
      kind: 'repartition',
      ...(spec.partitions === undefined ? {} : { partitions: spec.partitions }),
    })
    .addProcessor(names.filter, kstreamFilter<K, V>(keep), spec.parent)
    .addSink(
      names.sink,
      topic,
      { keySerializer: spec.keySerde, valueSerializer: spec.valueSerde, partitioner: spec.partitioner },
      names.filter,
    )
    .addSource(names.source, topic, { keyDeserializer: spec.keySerde, valueDeserializer: spec.valueSerde });
  return names.source;
}

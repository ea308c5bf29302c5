import { KStreamsError } from '../errors.ts';
import { partitionForKey } from '../kafka/murmur2.ts';
import type { TopicPartition } from '../kafka/types.ts';
import type { Serializer } from '../serdes/serde.ts';
import { type HostInfo, parseHostInfo } from './application-server.ts';
import type { StreamsAssignmentInfo } from './assignment-info.ts';
import type { TopicLayout } from './topic-layout.ts';

/** One instance of the application as the last assignment describes it (Kafka Streams' StreamsMetadata). */
export interface StreamsMetadata extends HostInfo {
  readonly topicPartitions: readonly TopicPartition[];
  /** Its active tasks, as `<subtopology>_<partition>`. */
  readonly taskIds: readonly string[];
  /** The stores of its tasks. */
  readonly storeNames: readonly string[];
}

/** Where a key of a store lives (Kafka Streams' KeyQueryMetadata). */
export interface KeyQueryMetadata extends HostInfo {
  /** The partition, and so the task, that holds the key. */
  readonly partition: number;
  /** Instances with a standby copy of the task (Kafka Streams' standbyHosts): none, no standby tasks yet. */
  readonly standbyHosts: readonly HostInfo[];
}

/**
 * The topic whose partitioning places a store's keys, and its partition count: as Kafka Streams, the
 * source topic of the store's sub-topology with the most partitions. Undefined for global stores.
 */
export function storeKeyTopic(
  layout: TopicLayout,
  storeName: string,
): { readonly subtopology: number; readonly topic: string; readonly partitions: number } | undefined {
  const subtopology = layout.subtopologies.find((s) => s.spec.stores.includes(storeName));
  if (subtopology === undefined) return undefined;
  let topic = subtopology.topics[0]!;
  for (const candidate of subtopology.topics) {
    if ((layout.partitionCount(candidate) ?? 0) > (layout.partitionCount(topic) ?? 0)) topic = candidate;
  }
  // Source topics are checked at start, so their partition counts are known here.
  return { subtopology: subtopology.subtopology, topic, partitions: layout.partitionCount(topic) ?? 1 };
}

/**
 * The group's task -> host map as this member learnt it from its last assignment, answering "which
 * instance holds this key of this store" with the Java-compatible partitioner. Forgotten while the group
 * rebalances, so no answer points at an instance that is giving the task up.
 */
export class StreamsMetadataState {
  readonly #layout: TopicLayout;
  #info: StreamsAssignmentInfo | undefined;

  constructor(layout: TopicLayout) {
    this.#layout = layout;
  }

  /** The assignment of the current generation, or undefined while a rebalance runs. */
  update(info: StreamsAssignmentInfo | undefined): void {
    this.#info = info;
  }

  get available(): boolean {
    return this.#info !== undefined;
  }

  /** Every instance that advertises an `applicationServer`, sorted by endpoint; empty while rebalancing. */
  allMetadata(): readonly StreamsMetadata[] {
    return (this.#info?.hosts ?? []).flatMap((host) => {
      const hostInfo = parseHostInfo(host.endpoint);
      if (hostInfo === undefined) return [];
      const stores = new Set(host.tasks.flatMap((task) => this.#storesOfTask(task)));
      return [
        {
          ...hostInfo,
          topicPartitions: host.partitions,
          taskIds: host.tasks,
          storeNames: [...stores].sort(),
        },
      ];
    });
  }

  /** The instances running a task with store `storeName`. */
  allMetadataForStore(storeName: string): readonly StreamsMetadata[] {
    return this.allMetadata().filter((metadata) => metadata.storeNames.includes(storeName));
  }

  /**
   * The instance and partition holding `key` in store `storeName`. Throws a retriable
   * KAFKA_REBALANCE_IN_PROGRESS while the group rebalances (or no instance holds the task yet).
   */
  metadataForKey<K>(storeName: string, key: K, keySerializer: Serializer<K>): KeyQueryMetadata {
    const subtopology = this.#layout.subtopologies.find((s) => s.spec.stores.includes(storeName));
    if (subtopology === undefined) {
      throw new KStreamsError('ILLEGAL_STATE', `The topology has no store "${storeName}" run by a task.`, {
        hint: 'Query a store of the topology (see topology.describe()); global stores are on every instance.',
      });
    }
    // As Kafka Streams: the key is hashed over the source topic with the most partitions.
    const { topic, partitions: partitionCount } = storeKeyTopic(this.#layout, storeName)!;
    const bytes = keySerializer.serialize(topic, key);
    if (bytes === null) {
      throw new KStreamsError('ILLEGAL_STATE', `Cannot locate a null key in store "${storeName}".`, {
        hint: 'Query with a non-null key: null keys are never stored.',
      });
    }
    const partition = partitionForKey(bytes, partitionCount);
    const task = `${subtopology.subtopology}_${partition}`;
    const owner = this.#info?.hosts.find((host) => host.tasks.includes(task));
    const hostInfo = owner === undefined ? undefined : parseHostInfo(owner.endpoint);
    if (hostInfo === undefined) {
      throw new KStreamsError(
        'KAFKA_REBALANCE_IN_PROGRESS',
        `No instance is known to hold task ${task} of store "${storeName}": ${
          this.#info === undefined ? 'the group is rebalancing' : 'its owner advertises no applicationServer'
        }.`,
        {
          hint: 'Retry once the application is RUNNING; set applicationServer on every instance.',
          retriable: true,
        },
      );
    }
    return { ...hostInfo, partition, standbyHosts: [] };
  }

  #storesOfTask(task: string): readonly string[] {
    const subtopology = Number(task.slice(0, task.indexOf('_')));
    return this.#layout.subtopologies.find((s) => s.subtopology === subtopology)?.spec.stores ?? [];
  }
}

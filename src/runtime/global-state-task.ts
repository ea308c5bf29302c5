import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import { subtopologiesOf } from '../processor/subtopologies.ts';
import type { Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes/serde.ts';
import type { BytesStore } from '../state/bytes-store.ts';
import { openTaskBytesStore } from '../state/open-task-bytes-store.ts';
import type { StateStore } from '../state/state-store.ts';
import type { ErrorHandling } from './error-policies.ts';
import { GlobalPositionsBytesStore } from './global-positions-bytes-store.ts';
import type { Logger } from './logger.ts';
import { PartitionMap } from './partition-map.ts';
import type { RecordCollector } from './record-collector.ts';
import { StreamTask, type TaskCounters, type TaskStoreContext } from './stream-task.ts';

/** The directory of the global stores under the application's state: `<stateDir>/<applicationId>/global/`. */
export const globalStateTaskId = 'global';

export interface GlobalStateTaskOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly stateDir: string;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly errorHandling: ErrorHandling;
  /** Where dead-lettered records go (global sub-topologies have no sinks). */
  readonly collector: RecordCollector;
  readonly logger: Logger;
  readonly wallClock: () => number;
  readonly cacheMaxBytes?: number;
  /** Opens a store's bytes; default: LMDB under `<stateDir>/<applicationId>/global/` when persistent. */
  readonly openBytesStore?: (storeName: string, persistent: boolean) => BytesStore;
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  offset: number;
}

/** One global sub-topology (source -> table source -> store), run over every partition of its topics. */
interface GlobalUnit {
  readonly task: StreamTask;
  readonly topics: readonly string[];
  readonly bytesStores: GlobalPositionsBytesStore[];
}

/**
 * Kafka Streams' GlobalStateUpdateTask: applies records of the global topics through the global stores'
 * processors (the same StreamTask code as stream tasks, so serdes and the deserialization policy behave
 * the same) and tracks the next offset per partition. `commit` writes the stores with those offsets in
 * the same transaction; the source topic is the global store's changelog, so nothing else is logged.
 */
export class GlobalStateTask {
  readonly #units: GlobalUnit[] = [];
  readonly #unitByTopic = new Map<string, GlobalUnit>();
  readonly #positions = new PartitionMap<Position>();
  readonly #stores = new Map<string, StateStore>();

  constructor(options: GlobalStateTaskOptions) {
    const location = {
      stateDir: options.stateDir,
      applicationId: options.applicationId,
      taskId: globalStateTaskId,
      onCorrupt: 'wipe' as const,
    };
    const open = options.openBytesStore ?? ((name, persistent) => openTaskBytesStore(location, name, persistent));
    try {
      for (const subtopology of subtopologiesOf(options.topology).filter((s) => s.global)) {
        const bytesStores: GlobalPositionsBytesStore[] = [];
        const storeContext: TaskStoreContext = {
          applicationId: options.applicationId,
          taskId: globalStateTaskId,
          partition: 0,
          stateDir: options.stateDir,
          openBytesStore: (name, persistent) => {
            const store = new GlobalPositionsBytesStore(open(name, persistent));
            bytesStores.push(store);
            return store;
          },
          defaultKeySerde: options.defaultKeySerde,
          defaultValueSerde: options.defaultValueSerde,
          ...(options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes }),
        };
        const task = new StreamTask({
          // Global sub-topologies have no partitioned tasks: 0 only fills the id.
          id: { subtopology: subtopology.id, partition: 0 },
          applicationId: options.applicationId,
          topology: options.topology,
          subtopology,
          collector: options.collector,
          storeContext,
          defaultKeySerde: options.defaultKeySerde,
          defaultValueSerde: options.defaultValueSerde,
          errorHandling: options.errorHandling,
          logger: options.logger,
          wallClock: options.wallClock,
        });
        const unit: GlobalUnit = { task, topics: subtopology.sourceTopics, bytesStores };
        this.#units.push(unit);
        for (const topic of unit.topics) this.#unitByTopic.set(topic, unit);
        for (const [name, store] of task.stores()) this.#stores.set(name, store);
      }
    } catch (error) {
      void this.close();
      throw error;
    }
    this.#loadPositions();
  }

  /** The topics the global stores are built from. */
  topics(): readonly string[] {
    return [...this.#unitByTopic.keys()];
  }

  /** The global stores by name. */
  stores(): ReadonlyMap<string, StateStore> {
    return this.#stores;
  }

  /** The next offset to apply per partition: stored by the last commit, moved by `process`. */
  position(tp: TopicPartition): number | undefined {
    return this.#positions.get(tp.topic, tp.partition)?.offset;
  }

  /** Sets the position of partitions that have none (a new store starts at the log start offset). */
  startAt(positions: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of positions) {
      if (this.#unitByTopic.has(topic) && this.#positions.get(topic, partition) === undefined) {
        this.#positions.set(topic, partition, { topic, partition, offset });
      }
    }
  }

  process(record: ConsumedRecord): void {
    const unit = this.#unitByTopic.get(record.topic);
    if (unit === undefined) return;
    unit.task.process(record);
    const position = this.#positions.get(record.topic, record.partition);
    if (position === undefined) {
      this.#positions.set(record.topic, record.partition, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1,
      });
    } else {
      position.offset = record.offset + 1;
    }
  }

  /** True once a store's cache or buffer outgrew its budget: commit early rather than spill. */
  get commitRequested(): boolean {
    return this.#units.some((u) => u.task.commitRequested);
  }

  /** Writes what was applied, with the offsets it covers, to each store in one transaction. */
  async commit(): Promise<void> {
    for (const unit of this.#units) {
      for (const store of unit.task.stores().values()) await store.flush();
      const positions = this.#positionsOf(unit.topics);
      // Moves whenever a position moves or a partition is added, so a commit of offsets alone is not skipped.
      const total = positions.reduce((sum, p) => sum + p.offset + 1, 0);
      for (const bytes of unit.bytesStores) bytes.stagePositions(positions);
      for (const store of unit.task.stores().values()) await store.persist?.(total);
      unit.task.committed();
    }
  }

  /** Empties the stores built from `topic` (and their positions), to load them again from the start. */
  async wipe(topic: string): Promise<readonly string[]> {
    const unit = this.#unitByTopic.get(topic);
    if (unit === undefined) return [];
    for (const store of unit.task.stores().values()) await store.wipe?.();
    for (const t of unit.topics) {
      for (const p of [...this.#positions.values()]) if (p.topic === t) this.#positions.delete(t, p.partition);
    }
    return [...unit.task.stores().keys()];
  }

  counters(): TaskCounters {
    const total: TaskCounters = {
      processed: 0,
      skipped: 0,
      deadLettered: 0,
      punctuations: 0,
      droppedLate: 0,
      droppedExpired: 0,
      droppedNullKey: 0,
    };
    for (const { task } of this.#units) {
      for (const name of Object.keys(total) as (keyof TaskCounters)[]) total[name] += task.counters[name];
    }
    return total;
  }

  /** Closes the stores; what was not committed is dropped (it is read again from the topics). */
  async close(): Promise<void> {
    for (const unit of this.#units) await unit.task.close();
  }

  // A store written by several transactions may lag another of the same topics: start from the lowest.
  #loadPositions(): void {
    for (const unit of this.#units) {
      for (const bytes of unit.bytesStores) {
        for (const stored of bytes.positions()) {
          if (!unit.topics.includes(stored.topic)) continue;
          const known = this.#positions.get(stored.topic, stored.partition);
          if (known === undefined || stored.offset < known.offset) {
            this.#positions.set(stored.topic, stored.partition, { ...stored });
          }
        }
      }
    }
  }

  #positionsOf(topics: readonly string[]): TopicPartitionOffset[] {
    return [...this.#positions.values()]
      .filter((p) => topics.includes(p.topic))
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
  }
}

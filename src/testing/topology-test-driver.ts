import { tmpdir } from 'node:os';
import { KStreamsError } from '../errors.ts';
import type { ConsumedRecord } from '../kafka/types.ts';
import type { RecordHeader } from '../processor/stream-record.ts';
import { subtopologiesOf } from '../processor/subtopologies.ts';
import type { Topology } from '../processor/topology.ts';
import { changelogHeaders, changelogTopicName } from '../runtime/changelog-records.ts';
import { defaultErrorHandling, type ErrorHandling } from '../runtime/error-policies.ts';
import { type Logger, silentLogger } from '../runtime/logger.ts';
import type { OutgoingRecord, RecordCollector } from '../runtime/record-collector.ts';
import { StreamTask, type TaskStoreContext } from '../runtime/stream-task.ts';
import { bytesSerde } from '../serdes/bytes-serde.ts';
import type { Deserializer, Serde, Serializer } from '../serdes/serde.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';
import { InMemoryBytesStore } from '../state/memory/in-memory-bytes-store.ts';
import type { StateStore } from '../state/state-store.ts';
import { TestInputTopic } from './test-input-topic.ts';
import { TestOutputTopic } from './test-output-topic.ts';

export interface TopologyTestDriverOptions {
  readonly applicationId?: string;
  /** Serdes for sources and sinks that name none (default: bytes, i.e. Buffers pass through). */
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  readonly errorHandling?: ErrorHandling;
  /** Wall-clock start, in epoch milliseconds; only `advanceWallClockTime` moves it. */
  readonly initialWallClockTimeMs?: number;
  readonly logger?: Logger;
  /**
   * Commit after every piped record and every wall-clock advance, as Kafka Streams' TopologyTestDriver
   * does: caching stores then forward their KTable updates per record. Default true; with false, updates
   * are deduplicated until `commit()`.
   */
  readonly commitEveryRecord?: boolean;
  /** The byte budget of each store's cache (default 10 MiB). */
  readonly cacheMaxBytesPerStore?: number;
}

/** A record as it sits in one of the driver's in-memory topics. */
export interface DriverRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  readonly timestamp: number;
}

/**
 * Runs a topology in memory, deterministically, with no broker (Kafka Streams' TopologyTestDriver). Each
 * topic has one partition, so each sub-topology runs as one task. Piped records are processed at once;
 * records written to a topic the topology also reads (repartition and through topics) are processed
 * right after, in order. Time moves only with record timestamps and `advanceWallClockTime`.
 *
 * Stores keep their bytes in memory, persistent or not. Logged stores write their changes to
 * `<applicationId>-<store>-changelog`, an in-memory topic like the others (`recordsOf`, output topics).
 * Records piped to a global table's topic update its global store at once (it logs nothing); every
 * processor can read it with `getStateStore`, and `getKeyValueStore(name)` returns it.
 */
export class TopologyTestDriver {
  readonly #tasks: StreamTask[] = [];
  readonly #taskByTopic = new Map<string, StreamTask>();
  readonly #patternTasks: Array<{ pattern: RegExp; task: StreamTask }> = [];
  readonly #topics = new Map<string, DriverRecord[]>();
  readonly #readPositions = new Map<string, number>();
  readonly #offsets = new Map<string, number>();
  readonly #pending: OutgoingRecord[] = [];
  readonly #stores = new Map<string, StateStore>();
  readonly #commitEveryRecord: boolean;
  readonly #applicationId: string;
  #wallClock: number;
  #draining = false;
  #persistFailure: unknown;

  constructor(topology: Topology, options: TopologyTestDriverOptions = {}) {
    this.#wallClock = options.initialWallClockTimeMs ?? Date.now();
    const collector: RecordCollector = {
      send: (record) => this.#pending.push(record),
      partitionCount: () => 1,
    };
    const applicationId = options.applicationId ?? 'test-driver';
    const defaultKeySerde = options.defaultKeySerde ?? (bytesSerde() as Serde<unknown>);
    const defaultValueSerde = options.defaultValueSerde ?? (bytesSerde() as Serde<unknown>);
    this.#commitEveryRecord = options.commitEveryRecord ?? true;
    // Global stores first: stream tasks' processors may look them up when they are initialised.
    const subtopologies = [...subtopologiesOf(topology)].sort((a, b) => Number(b.global) - Number(a.global));
    const globalStores = new Map<string, StateStore>();
    for (const subtopology of subtopologies) {
      const storeContext: TaskStoreContext = {
        applicationId,
        taskId: `${subtopology.id}_0`,
        partition: 0,
        stateDir: tmpdir(),
        openBytesStore: (name) => new InMemoryBytesStore(name),
        // A global store's topic is its changelog: it logs nothing.
        ...(subtopology.global
          ? {}
          : {
              changelog: {
                send: (store, key, value, timestamp, source) => {
                  const topic = changelogTopicName(applicationId, store);
                  this.#append({ topic, key, value, timestamp, headers: changelogHeaders(source) });
                },
              },
            }),
        defaultKeySerde,
        defaultValueSerde,
        ...(options.cacheMaxBytesPerStore === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytesPerStore }),
      };
      const task = new StreamTask({
        id: { subtopology: subtopology.id, partition: 0 },
        applicationId,
        topology,
        subtopology,
        collector,
        storeContext,
        defaultKeySerde,
        defaultValueSerde,
        errorHandling: options.errorHandling ?? defaultErrorHandling,
        logger: options.logger ?? silentLogger,
        wallClock: () => this.#wallClock,
        globalStore: (name) => globalStores.get(name),
      });
      for (const [name, store] of task.stores()) {
        this.#stores.set(name, store);
        if (subtopology.global) globalStores.set(name, store);
      }
      this.#tasks.push(task);
      for (const topic of subtopology.sourceTopics) this.#taskByTopic.set(topic, task);
      for (const pattern of subtopology.sourcePatterns) this.#patternTasks.push({ pattern, task });
    }
    this.#applicationId = applicationId;
  }

  createInputTopic<K, V>(
    topic: string,
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
  ): TestInputTopic<K, V> {
    if (this.#taskFor(topic) === undefined) {
      throw new KStreamsError('TOPOLOGY_INVALID', `The topology does not read topic "${topic}".`, {
        hint: `Pipe into one of its source topics: ${[...this.#taskByTopic.keys()].join(', ')}.`,
      });
    }
    return new TestInputTopic(
      topic,
      keySerializer,
      valueSerializer,
      (record) => this.pipeRaw(record),
      () => this.#wallClock,
    );
  }

  createOutputTopic<K, V>(
    topic: string,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
  ): TestOutputTopic<K, V> {
    return new TestOutputTopic(
      topic,
      keyDeserializer,
      valueDeserializer,
      () => this.#readNext(topic),
      () => this.#unread(topic),
    );
  }

  /** Feeds one serialized record to the topology, then everything it causes. */
  pipeRaw(record: DriverRecord): void {
    this.#append(record);
    this.#processRecord(record);
    this.#drain();
    if (this.#commitEveryRecord) this.commit();
  }

  /** Moves wall-clock time forward and runs the wall-clock punctuators that became due. */
  advanceWallClockTime(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advanceWallClockTime needs a non-negative duration, got ${ms}.`);
    this.#wallClock += ms;
    for (const task of this.#tasks) task.punctuateWallClock(this.#wallClock);
    this.#drain();
    if (this.#commitEveryRecord) this.commit();
  }

  /**
   * Commits as the runtime does, minus Kafka: flushes every store, upstream first, so caching stores
   * forward their pending KTable updates (and write their changelogs), processes what that produced,
   * until nothing is left; then writes the flushed state to the in-memory bytes stores.
   */
  commit(): void {
    do {
      this.#drain();
      for (const task of this.#tasks) {
        for (const store of task.stores().values()) void store.flush();
      }
    } while (this.#pending.length > 0);
    for (const store of this.#stores.values()) {
      const changelog = this.#offsets.get(changelogTopicName(this.#applicationId, store.name));
      store.persist?.(changelog)?.catch((error: unknown) => {
        this.#persistFailure ??= error;
      });
    }
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    const store = this.#stores.get(name);
    if (store === undefined) {
      throw new KStreamsError('STATE_STORE_NOT_CONNECTED', `The topology has no state store named "${name}".`, {
        hint: `Known stores: ${[...this.#stores.keys()].join(', ') || '(none)'}.`,
      });
    }
    return store as S;
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.getStateStore<KeyValueStore<K, V>>(name);
  }

  /** Records the topology's processors dropped on purpose, summed over every task, by reason. */
  droppedRecords(): { late: number; expired: number; nullKey: number } {
    const total = { late: 0, expired: 0, nullKey: 0 };
    for (const { counters } of this.#tasks) {
      total.late += counters.droppedLate;
      total.expired += counters.droppedExpired;
      total.nullKey += counters.droppedNullKey;
    }
    return total;
  }

  /** Every record written to the topic so far (piped or produced), read or not. */
  recordsOf(topic: string): readonly DriverRecord[] {
    return this.#topics.get(topic) ?? [];
  }

  /** Closes the tasks and their stores; throws if writing a store's state failed. */
  async close(): Promise<void> {
    for (const task of this.#tasks) await task.close();
    if (this.#persistFailure !== undefined) throw this.#persistFailure;
  }

  #taskFor(topic: string): StreamTask | undefined {
    return this.#taskByTopic.get(topic) ?? this.#patternTasks.find((p) => p.pattern.test(topic))?.task;
  }

  #append(record: DriverRecord): number {
    const offset = this.#offsets.get(record.topic) ?? 0;
    this.#offsets.set(record.topic, offset + 1);
    const records = this.#topics.get(record.topic) ?? [];
    records.push(record);
    this.#topics.set(record.topic, records);
    return offset;
  }

  #processRecord(record: DriverRecord): void {
    const task = this.#taskFor(record.topic);
    if (task === undefined) return;
    const consumed: ConsumedRecord = {
      topic: record.topic,
      partition: 0,
      offset: (this.#offsets.get(record.topic) ?? 1) - 1,
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp: record.timestamp,
    };
    task.process(consumed);
  }

  /** Delivers produced records, feeding those on topics the topology reads back in, in order. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#pending.length > 0) {
        const next = this.#pending.shift()!;
        const record: DriverRecord = {
          topic: next.topic,
          key: next.key,
          value: next.value,
          headers: next.headers,
          timestamp: next.timestamp,
        };
        this.#append(record);
        this.#processRecord(record);
      }
    } finally {
      this.#draining = false;
    }
  }

  #readNext(topic: string): DriverRecord | undefined {
    const position = this.#readPositions.get(topic) ?? 0;
    const record = this.#topics.get(topic)?.[position];
    if (record !== undefined) this.#readPositions.set(topic, position + 1);
    return record;
  }

  #unread(topic: string): number {
    return (this.#topics.get(topic)?.length ?? 0) - (this.#readPositions.get(topic) ?? 0);
  }
}

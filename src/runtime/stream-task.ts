import { KStreamsError, reasonOf } from '../errors.ts';
import type { ConsumedRecord } from '../kafka/types.ts';
import type { Cancellable, ProcessorContext, PunctuationType, TaskId } from '../processor/processor-context.ts';
import type { RecordOrigin, StreamRecord } from '../processor/stream-record.ts';
import type { Subtopology } from '../processor/subtopologies.ts';
import { recordTimestamp, type TimestampExtractor } from '../processor/timestamp-extractor.ts';
import type { SourceNode, Topology } from '../processor/topology.ts';
import type { Deserializer, Serde } from '../serdes/serde.ts';
import type { StateStore } from '../state/state-store.ts';
import type { StoreContext, StoreRecordContext } from '../state/store-context.ts';
import { deadLetterHeaders, type ErrorHandling, type RecordErrorPolicy } from './error-policies.ts';
import type { Logger } from './logger.ts';
import { PartitionMap } from './partition-map.ts';
import { PunctuationSchedule } from './punctuation-schedule.ts';
import type { RecordCollector } from './record-collector.ts';
import {
  Forwarder,
  failureIn,
  NodeProcessingError,
  ProcessorTaskNode,
  SinkTaskNode,
  SourceTaskNode,
  type TaskNode,
} from './task-node.ts';

export interface StreamTaskOptions {
  readonly id: TaskId;
  readonly applicationId: string;
  readonly topology: Topology;
  readonly subtopology: Subtopology;
  readonly collector: RecordCollector;
  /**
   * What the task builds its stores with (`builder.build(context)`); the task adds its commit requests
   * and the record being processed. Absent: stores are built without a context (in memory, unlogged).
   */
  readonly storeContext?: TaskStoreContext;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly errorHandling: ErrorHandling;
  readonly logger: Logger;
  readonly wallClock: () => number;
  /**
   * The cluster name of a topic the topology names (internal topics carry the application id as prefix);
   * sources are matched against it. Default: the name as written.
   */
  readonly resolveTopic?: (topic: string) => string;
  /**
   * The instance's global stores (GlobalKTable), by name: every processor may read them without
   * connecting them, as in Kafka Streams. Absent: the topology has none.
   */
  readonly globalStore?: (name: string) => StateStore | undefined;
}

/** The store context the runtime gives a task; the task adds `requestCommit` and `recordContext`. */
export type TaskStoreContext = Omit<StoreContext, 'requestCommit' | 'recordContext' | 'forwarding'>;

interface TaskSource {
  readonly node: SourceTaskNode;
  readonly keyDeserializer: Deserializer<unknown>;
  readonly valueDeserializer: Deserializer<unknown>;
  readonly timestampExtractor: TimestampExtractor;
}

/** Counts a task keeps for its metrics. */
export interface TaskCounters {
  processed: number;
  skipped: number;
  deadLettered: number;
  punctuations: number;
  /** Records processors dropped on purpose, by reason (see DropReason). */
  droppedLate: number;
  droppedExpired: number;
  droppedNullKey: number;
}

export function taskIdString(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/**
 * One task: a sub-topology's processor graph for one partition, with its stores, stream time and
 * punctuators. `process` runs a record synchronously and depth-first from its source to the sinks,
 * which hand serialized records to the collector; the task itself does no I/O. Shared by the Kafka
 * runtime and the TopologyTestDriver, so both run exactly the same processing code.
 */
export class StreamTask {
  readonly id: TaskId;
  readonly counters: TaskCounters = {
    processed: 0,
    skipped: 0,
    deadLettered: 0,
    punctuations: 0,
    droppedLate: 0,
    droppedExpired: 0,
    droppedNullKey: 0,
  };
  readonly #options: StreamTaskOptions;
  readonly #sourcesByTopic = new Map<string, TaskSource>();
  readonly #patternSources: Array<{ pattern: RegExp; source: TaskSource }> = [];
  readonly #processors: ProcessorTaskNode[] = [];
  readonly #partitionTimes = new PartitionMap<number>();
  readonly #streamTimePunctuation = new PunctuationSchedule('stream-time');
  readonly #wallClockPunctuation = new PunctuationSchedule('wall-clock');
  readonly #stores = new Map<string, StateStore>();
  #streamTime = -1;
  #origin: RecordOrigin | undefined;
  #recordTimestamp = 0;
  #punctuationTime: number | undefined;
  // The change a caching store forwards at flush: stamps what downstream processors write meanwhile.
  #forwarding: StoreRecordContext | undefined;
  #commitRequested = false;
  #closed = false;

  constructor(options: StreamTaskOptions) {
    this.id = options.id;
    this.#options = options;
    this.#buildStores();
    this.#buildGraph();
  }

  get streamTime(): number {
    return this.#streamTime;
  }

  /** True once a processor asked for a commit; reset by `committed()`. */
  get commitRequested(): boolean {
    return this.#commitRequested;
  }

  committed(): void {
    this.#commitRequested = false;
  }

  /** Runs one consumed record through the graph, following the error policies for bad records. */
  process(record: ConsumedRecord): void {
    const source = this.#sourceFor(record.topic);
    this.#origin = record;
    let key: unknown;
    let value: unknown;
    let timestamp: number;
    try {
      key = source.keyDeserializer.deserialize(record.topic, record.key, record.headers);
      value = source.valueDeserializer.deserialize(record.topic, record.value, record.headers);
      const partitionTime = this.#partitionTimes.get(record.topic, record.partition) ?? -1;
      timestamp = source.timestampExtractor(record, partitionTime);
      if (!Number.isFinite(timestamp) || timestamp < 0) {
        throw new KStreamsError('INVALID_TIMESTAMP', `The timestamp extractor returned ${timestamp}.`, {
          hint: 'Return a non-negative epoch-milliseconds timestamp from the extractor.',
        });
      }
      if (timestamp > partitionTime) this.#partitionTimes.set(record.topic, record.partition, timestamp);
    } catch (error) {
      this.#handleBadRecord('deserialization', this.#options.errorHandling.deserialization, error, record);
      return;
    }
    if (timestamp > this.#streamTime) this.#streamTime = timestamp;
    this.#recordTimestamp = timestamp;
    try {
      source.node.process({ key, value, timestamp, headers: record.headers });
      this.counters.processed++;
    } catch (error) {
      this.#handleBadRecord('processing', this.#options.errorHandling.processing, error, record);
    }
    this.#origin = undefined;
    this.#punctuate(this.#streamTimePunctuation, this.#streamTime);
  }

  /** Runs the wall-clock punctuators that are due; the runtime calls this between poll batches. */
  punctuateWallClock(now = this.#options.wallClock()): number {
    return this.#punctuate(this.#wallClockPunctuation, now);
  }

  /** The task's stores in topological order, upstream first (for the commit protocol and queries). */
  stores(): ReadonlyMap<string, StateStore> {
    return this.#stores;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const node of this.#processors) {
      try {
        node.processor.close?.();
      } catch (error) {
        this.#options.logger.warn('A processor failed to close.', {
          task: taskIdString(this.id),
          node: node.name,
          error: String(error),
        });
      }
    }
    await closeStores(this.#stores.values(), this.#options.logger, taskIdString(this.id));
  }

  // Sub-topology stores are listed in the order their processors were added: upstream first.
  #buildStores(): void {
    const { topology, subtopology, storeContext } = this.#options;
    const context: StoreContext | undefined =
      storeContext === undefined
        ? undefined
        : {
            ...storeContext,
            requestCommit: () => {
              this.#commitRequested = true;
            },
            recordContext: () => this.#currentRecordContext(),
            forwarding: (record) => {
              this.#forwarding = record;
            },
          };
    try {
      for (const name of subtopology.stores) {
        const builder = topology.storeBuilder(name);
        if (builder === undefined) continue;
        this.#stores.set(name, builder.build(context));
      }
    } catch (error) {
      void closeStores(this.#stores.values(), this.#options.logger, taskIdString(this.id));
      throw error;
    }
  }

  #currentRecordContext(): StoreRecordContext | undefined {
    if (this.#forwarding !== undefined) return this.#forwarding;
    const origin = this.#origin;
    if (origin === undefined) {
      return this.#punctuationTime === undefined ? undefined : { timestamp: this.#punctuationTime };
    }
    // A copy: stores keep it until commit, and the consumed record holds the input bytes.
    return {
      timestamp: this.#recordTimestamp,
      source: { topic: origin.topic, partition: origin.partition, offset: origin.offset },
    };
  }

  #buildGraph(): void {
    const { topology, subtopology } = this.#options;
    const nodes = new Map<string, TaskNode>();
    const forwarders = new Map<string, Forwarder>();
    for (const name of subtopology.nodes) {
      const spec = topology.node(name)!;
      if (spec.kind === 'source') {
        const node = new SourceTaskNode(name);
        nodes.set(name, node);
        forwarders.set(name, node.forwarder);
        this.#addSource(spec, node);
      } else if (spec.kind === 'processor') {
        const node = new ProcessorTaskNode(name, spec.supplier());
        nodes.set(name, node);
        forwarders.set(name, new Forwarder(name));
        this.#processors.push(node);
      } else {
        const serializers = { key: this.#options.defaultKeySerde, value: this.#options.defaultValueSerde };
        nodes.set(name, new SinkTaskNode(spec, serializers, this.#options.collector));
      }
    }
    for (const name of subtopology.nodes) {
      for (const child of topology.children(name)) forwarders.get(name)!.addChild(nodes.get(child)!);
    }
    // Children before parents would let a parent forward into an uninitialised child: init in added order.
    for (const node of this.#processors) node.init(this.#contextFor(node.name, forwarders.get(node.name)!));
  }

  #addSource(spec: SourceNode, node: SourceTaskNode): void {
    const source: TaskSource = {
      node,
      keyDeserializer:
        (spec.options.keyDeserializer as Deserializer<unknown> | undefined) ?? this.#options.defaultKeySerde,
      valueDeserializer:
        (spec.options.valueDeserializer as Deserializer<unknown> | undefined) ?? this.#options.defaultValueSerde,
      timestampExtractor: spec.options.timestampExtractor ?? recordTimestamp,
    };
    const resolve = this.#options.resolveTopic ?? ((topic: string) => topic);
    for (const topic of spec.topics) this.#sourcesByTopic.set(resolve(topic), source);
    if (spec.pattern !== undefined) this.#patternSources.push({ pattern: spec.pattern, source });
  }

  #sourceFor(topic: string): TaskSource {
    const direct = this.#sourcesByTopic.get(topic);
    if (direct !== undefined) return direct;
    const matched = this.#patternSources.find((p) => p.pattern.test(topic))?.source;
    if (matched === undefined) {
      throw new KStreamsError('TOPOLOGY_INVALID', `Task ${taskIdString(this.id)} has no source for topic "${topic}".`, {
        hint: 'This is a bug in the partition assignment: report it with the topology description.',
      });
    }
    this.#sourcesByTopic.set(topic, matched);
    return matched;
  }

  #contextFor(nodeName: string, forwarder: Forwarder): ProcessorContext<unknown, unknown> {
    const node = this.#options.topology.node(nodeName);
    const connected = new Set(node?.kind === 'processor' ? node.stores : []);
    return {
      applicationId: this.#options.applicationId,
      taskId: this.id,
      forward: (record: StreamRecord<unknown, unknown>, childName?: string) => forwarder.forward(record, childName),
      schedule: (intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable => {
        const wrapped = (timestamp: number) => {
          this.#punctuationTime = timestamp;
          try {
            punctuator(timestamp);
          } catch (error) {
            throw failureIn(nodeName, error);
          } finally {
            this.#punctuationTime = undefined;
          }
        };
        return type === 'stream-time'
          ? this.#streamTimePunctuation.add(intervalMs, wrapped, this.#streamTime)
          : this.#wallClockPunctuation.add(intervalMs, wrapped, this.#options.wallClock());
      },
      getStateStore: <S extends StateStore>(name: string): S => {
        const store = this.#stores.get(name) ?? this.#options.globalStore?.(name);
        if (store === undefined || (!connected.has(name) && this.#stores.has(name))) {
          throw new KStreamsError(
            'STATE_STORE_NOT_CONNECTED',
            `Processor "${nodeName}" asked for store "${name}", which is not connected to it.`,
            {
              hint: `Connect it: topology.addStateStore(builder, '${nodeName}') or connectProcessorAndStateStores(['${nodeName}', '${name}']).`,
            },
          );
        }
        return store as S;
      },
      recordOrigin: () => this.#origin,
      currentStreamTimeMs: () => this.#streamTime,
      currentSystemTimeMs: () => this.#options.wallClock(),
      recordDropped: (reason) => {
        if (reason === 'late') this.counters.droppedLate++;
        else if (reason === 'expired') this.counters.droppedExpired++;
        else this.counters.droppedNullKey++;
        // Debug only: a late-data storm must not flood the logs; the counters carry the totals.
        this.#options.logger.debug('A processor dropped a record.', {
          task: taskIdString(this.id),
          processor: nodeName,
          reason,
          ...this.#origin,
        });
      },
      requestCommit: () => {
        this.#commitRequested = true;
      },
    };
  }

  #punctuate(schedule: PunctuationSchedule, now: number): number {
    if (schedule.size === 0 || now < 0) return 0;
    this.#origin = undefined;
    try {
      const fired = schedule.punctuate(now);
      this.counters.punctuations += fired;
      return fired;
    } catch (error) {
      const failure = failureIn('punctuator', error);
      if (this.#options.errorHandling.processing === 'fail') throw failure;
      this.counters.skipped++;
      this.#options.logger.warn('A punctuator failed; going on as configured.', {
        task: taskIdString(this.id),
        node: failure.node,
        error: failure.message,
      });
      return 0;
    }
  }

  #handleBadRecord(
    stage: 'deserialization' | 'processing',
    policy: RecordErrorPolicy,
    error: unknown,
    record: ConsumedRecord,
  ): void {
    this.#origin = undefined;
    const where = `${record.topic}-${record.partition} at offset ${record.offset}`;
    const node = error instanceof NodeProcessingError ? error.node : undefined;
    const reason = reasonOf(error);
    if (policy === 'fail') {
      const code = stage === 'deserialization' ? 'SERDE_DESERIALIZATION_FAILED' : 'PROCESSING_FAILED';
      throw new KStreamsError(
        code,
        `Task ${taskIdString(this.id)} could not ${stage === 'deserialization' ? 'read' : 'process'} the record in ${where}: ${reason}`,
        {
          hint:
            stage === 'deserialization'
              ? 'Check the serdes configured for this topic (Consumed.with), or set the deserialization error policy to log-and-continue or dead-letter.'
              : 'Fix the processor, or set the processing error policy to log-and-continue or dead-letter.',
          cause: error,
        },
      );
    }
    const fields = {
      task: taskIdString(this.id),
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      node,
      error: reason,
    };
    if (policy === 'log-and-continue') {
      this.counters.skipped++;
      this.#options.logger.warn(`Skipped a record that failed ${stage}.`, fields);
      return;
    }
    const deadLetterTopic = this.#options.errorHandling.deadLetterTopic;
    if (deadLetterTopic === undefined) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        `The ${stage} error policy is dead-letter but no dead-letter topic is set.`,
        {
          hint: 'Set errorHandling.deadLetterTopic.',
          cause: error,
        },
      );
    }
    const header = (key: string, value: string) => ({ key, value: Buffer.from(value) });
    const code = error instanceof KStreamsError ? error.code : 'PROCESSING_FAILED';
    this.#options.collector.send({
      topic: deadLetterTopic,
      key: record.key,
      value: record.value,
      headers: [
        ...record.headers,
        header(deadLetterHeaders.errorCode, code),
        header(deadLetterHeaders.errorMessage, reason),
        header(deadLetterHeaders.errorStage, stage),
        ...(node === undefined ? [] : [header(deadLetterHeaders.node, node)]),
        header(deadLetterHeaders.topic, record.topic),
        header(deadLetterHeaders.partition, String(record.partition)),
        header(deadLetterHeaders.offset, String(record.offset)),
      ],
      timestamp: record.timestamp,
    });
    this.counters.deadLettered++;
    this.#options.logger.warn(
      `Sent a record that failed ${stage} to the dead-letter topic "${deadLetterTopic}".`,
      fields,
    );
  }
}

async function closeStores(stores: Iterable<StateStore>, logger: Logger, task: string): Promise<void> {
  for (const store of stores) {
    try {
      await store.close();
    } catch (error) {
      logger.warn('A state store failed to close.', { task, store: store.name, error: reasonOf(error) });
    }
  }
}

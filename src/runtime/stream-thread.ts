import type {
  Assignment,
  ConsumedRecord,
  GroupConsumer,
  KafkaClient,
  OffsetReset,
  Producer,
  TopicPartition,
} from '../kafka/types.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { Topology } from '../processor/topology.ts';
import type { StateStore } from '../state/state-store.ts';
import { ActiveTask, type FailureLocation } from './active-task.ts';
import { commitTasks } from './commit-tasks.ts';
import { KafkaRecordCollector } from './kafka-record-collector.ts';
import { partitionKey } from './partition-group.ts';
import { PartitionMap } from './partition-map.ts';
import { addCounters, emptyCounters, type RuntimeCounters } from './runtime-counters.ts';
import { StreamTask } from './stream-task.ts';
import { StreamsAssignor, taskName } from './streams-assignor.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';
import type { TopicLayout } from './topic-layout.ts';

/** How long one poll waits for records when nothing else is due; bounds how soon close() is noticed. */
const maxPollWaitMs = 200;

export interface StreamThreadEvents {
  /** The group is rebalancing: this member's tasks are being revoked. */
  rebalancing(): void;
  /** This member has its new tasks. */
  assigned(tasks: readonly TaskId[]): void;
  /** The loop stopped on an uncaught error; its tasks are not committed. */
  failed(error: unknown, where: FailureLocation | undefined): void;
}

export interface StreamThreadOptions {
  readonly name: string;
  readonly client: KafkaClient;
  readonly topology: Topology;
  readonly layout: TopicLayout;
  readonly config: ResolvedStreamsConfig;
  readonly offsetReset: OffsetReset;
  readonly wallClock: () => number;
  readonly events: StreamThreadEvents;
}

/**
 * One poll loop (Kafka Streams' StreamThread): a group consumer, a producer and the tasks of this member.
 * Each round polls a bounded batch, queues it in the tasks' partition groups, processes synchronously,
 * runs wall-clock punctuators, hands the output to the producer, and commits when due. Commits and
 * revocations never overlap: both run under one lock.
 */
export class StreamThread {
  readonly name: string;
  readonly #options: StreamThreadOptions;
  readonly #consumer: GroupConsumer;
  readonly #producer: Producer;
  readonly #collector: KafkaRecordCollector;
  readonly #tasks = new Map<string, ActiveTask>();
  readonly #taskByPartition = new PartitionMap<ActiveTask>();
  readonly #paused = new Map<string, TopicPartition>();
  #previousTasks: readonly TaskId[] = [];
  /** Counters of tasks already closed, so totals survive rebalances. */
  readonly #retired = emptyCounters();
  #lock: Promise<unknown> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #lastCommit = 0;
  #stopRequested = false;
  #failed = false;
  #failure: FailureLocation | undefined;
  #closed = false;

  constructor(options: StreamThreadOptions) {
    this.name = options.name;
    this.#options = options;
    const { client, config, layout } = options;
    this.#producer = client.producer(config.lingerMs === undefined ? {} : { lingerMs: config.lingerMs });
    this.#collector = new KafkaRecordCollector({
      producer: this.#producer,
      realName: layout.realName,
      partitionCount: layout.partitionCount,
      productionPolicy: config.errorHandling.production ?? 'fail',
      logger: config.logger,
    });
    this.#consumer = client.groupConsumer({
      groupId: config.applicationId,
      topics: layout.sourceTopics,
      offsetReset: options.offsetReset,
      ...(config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs }),
      ...(config.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: config.heartbeatIntervalMs }),
      ...(config.fetchMaxBytes === undefined ? {} : { maxBytes: config.fetchMaxBytes }),
      assignor: new StreamsAssignor(layout.subtopologies, () => this.#previousTasks),
      listener: {
        onPartitionsRevoked: (partitions) => this.#onRevoked(partitions),
        onPartitionsAssigned: (assignment) => this.#onAssigned(assignment),
      },
    });
  }

  /** Totals over every task this loop has run, and its output. */
  counters(): RuntimeCounters {
    const total = addCounters(emptyCounters(), this.#retired);
    for (const task of this.#tasks.values()) addCounters(total, taskCounters(task));
    total.recordsProduced = this.#collector.sent;
    total.recordsDropped = this.#collector.dropped;
    return total;
  }

  /** The ids of the tasks this loop runs now. */
  tasks(): readonly TaskId[] {
    return [...this.#tasks.values()].map((t) => t.id);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops at a batch boundary, commits (unless the loop failed), closes the tasks, leaves the group and
   * closes the producer. Resolves false when the final commit did not happen. Idempotent.
   */
  async close(): Promise<boolean> {
    if (this.#closed) return !this.#failed;
    this.#closed = true;
    this.#stopRequested = true;
    await this.#loop;
    try {
      if (!this.#failed) await this.#exclusive(() => this.#commit([...this.#tasks.values()]));
    } catch (error) {
      this.#options.config.logger.error('The final commit failed; uncommitted input will be processed again.', {
        thread: this.name,
        error: String(error),
      });
      this.#failed = true;
    } finally {
      await this.#shutDown();
    }
    return !this.#failed;
  }

  /**
   * Closes everything without committing: after a failure, or when a close() is stuck (its commit or
   * loop hangs), in which case the clients are closed under it.
   */
  async abort(): Promise<void> {
    this.#failed = true;
    this.#stopRequested = true;
    this.#collector.discard();
    if (!this.#closed) {
      this.#closed = true;
      await this.#shutDown();
      return;
    }
    await this.#closeClients();
  }

  async #shutDown(): Promise<void> {
    // Not under the lock after a failure: a hung commit must not keep the tasks open.
    if (this.#failed) await this.#closeTasks([...this.#tasks.values()]);
    else await this.#exclusive(() => this.#closeTasks([...this.#tasks.values()]));
    await this.#closeClients();
  }

  async #closeClients(): Promise<void> {
    const results = await Promise.allSettled([this.#consumer.close(), this.#producer.close()]);
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#options.config.logger.warn('A client failed to close.', {
          thread: this.name,
          error: String(result.reason),
        });
      }
    }
  }

  async #run(): Promise<void> {
    try {
      await this.#consumer.connect();
      this.#lastCommit = this.#options.wallClock();
      while (!this.#stopRequested) await this.#runOnce();
    } catch (error) {
      if (this.#stopRequested && this.#closed && this.#failed) return;
      this.#failed = true;
      this.#stopRequested = true;
      this.#collector.discard();
      this.#options.events.failed(error, this.#failure);
    }
  }

  async #runOnce(): Promise<void> {
    const { config, wallClock } = this.#options;
    this.#failure = undefined;
    const records = await this.#consumer.poll({
      maxRecords: config.maxPollRecords,
      timeoutMs: this.#pollTimeout(wallClock()),
    });
    // Records polled but not processed are not committed: the next owner (or this one) reads them again.
    if (this.#stopRequested) return;
    this.#enqueue(records);
    const now = wallClock();
    const onFailure = (where: FailureLocation) => {
      this.#failure = where;
    };
    for (const task of this.#tasks.values()) task.processReady(now, onFailure);
    for (const task of this.#tasks.values()) task.punctuateWallClock(now, onFailure);
    this.#collector.flush();
    await this.#collector.throttle();
    this.#collector.checkFailure();
    this.#resumeDrained();
    const commitRequested = [...this.#tasks.values()].some((t) => t.commitRequested);
    if (commitRequested || now - this.#lastCommit >= config.commitIntervalMs) {
      await this.#exclusive(() => this.#commit([...this.#tasks.values()]));
    }
  }

  #enqueue(records: readonly ConsumedRecord[]): void {
    const limit = this.#options.config.bufferedRecordsPerPartition;
    const toPause: TopicPartition[] = [];
    for (const record of records) {
      const task = this.#taskByPartition.get(record.topic, record.partition);
      if (task === undefined) {
        this.#options.config.logger.debug('Dropped a record of a partition without a task.', {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
        });
        continue;
      }
      const size = task.group.add(record);
      if (size > limit) {
        const key = partitionKey(record);
        if (!this.#paused.has(key)) {
          const tp = { topic: record.topic, partition: record.partition };
          this.#paused.set(key, tp);
          toPause.push(tp);
        }
      }
    }
    if (toPause.length > 0) this.#consumer.pause(toPause);
  }

  #resumeDrained(): void {
    if (this.#paused.size === 0) return;
    const limit = this.#options.config.bufferedRecordsPerPartition;
    const drained: TopicPartition[] = [];
    for (const [key, tp] of this.#paused) {
      if ((this.#taskByPartition.get(tp.topic, tp.partition)?.group.size(tp) ?? 0) <= limit) {
        this.#paused.delete(key);
        drained.push(tp);
      }
    }
    if (drained.length > 0) this.#consumer.resume(drained);
  }

  /** Short when a task waits for an empty partition or a commit is due; never unbounded. */
  #pollTimeout(now: number): number {
    let timeout = Math.min(maxPollWaitMs, this.#lastCommit + this.#options.config.commitIntervalMs - now);
    for (const task of this.#tasks.values()) {
      const deadline = task.group.idleDeadline();
      if (deadline !== undefined) timeout = Math.min(timeout, deadline - now);
    }
    return Math.max(0, timeout);
  }

  async #commit(tasks: readonly ActiveTask[]): Promise<void> {
    await commitTasks(tasks, { collector: this.#collector, consumer: this.#consumer });
    this.#lastCommit = this.#options.wallClock();
  }

  async #onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    if (!this.#stopRequested) this.#options.events.rebalancing();
    const revokedKeys = new Set(partitions.map(partitionKey));
    await this.#exclusive(async () => {
      const revoked = [...this.#tasks.values()].filter((t) =>
        t.partitions().some((tp) => revokedKeys.has(partitionKey(tp))),
      );
      this.#previousTasks = revoked.map((t) => t.id);
      try {
        // A failed loop commits nothing: its uncommitted input goes to the next owner.
        if (!this.#failed && revoked.length > 0) await this.#commit(revoked);
      } finally {
        await this.#closeTasks(revoked);
      }
    });
  }

  async #onAssigned(assignment: Assignment): Promise<void> {
    const byTask = new Map<string, { id: TaskId; partitions: TopicPartition[] }>();
    for (const tp of assignment.partitions) {
      const laidOut = this.#options.layout.subtopologyOf(tp.topic);
      if (laidOut === undefined) continue;
      const id = { subtopology: laidOut.subtopology, partition: tp.partition };
      const entry = byTask.get(taskName(id)) ?? { id, partitions: [] };
      entry.partitions.push(tp);
      byTask.set(taskName(id), entry);
    }
    for (const [name, { id, partitions }] of byTask) {
      if (this.#tasks.has(name)) continue;
      const task = new ActiveTask(this.#createStreamTask(id), partitions, this.#options.config.maxTaskIdleMs);
      this.#tasks.set(name, task);
      for (const tp of partitions) this.#taskByPartition.set(tp.topic, tp.partition, task);
    }
    this.#options.config.logger.info('Tasks assigned.', {
      thread: this.name,
      generation: assignment.generationId,
      tasks: [...this.#tasks.keys()],
    });
    if (!this.#stopRequested) this.#options.events.assigned(this.tasks());
  }

  #createStreamTask(id: TaskId): StreamTask {
    const { topology, layout, config, wallClock } = this.#options;
    const subtopology = layout.subtopologies.find((s) => s.subtopology === id.subtopology)!.spec;
    const stores = new Map<string, StateStore>();
    for (const name of subtopology.stores) stores.set(name, topology.storeBuilder(name)!.build());
    return new StreamTask({
      id,
      applicationId: config.applicationId,
      topology,
      subtopology,
      collector: this.#collector,
      stores,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      errorHandling: config.errorHandling,
      logger: config.logger,
      wallClock,
      resolveTopic: layout.realName,
    });
  }

  async #closeTasks(tasks: readonly ActiveTask[]): Promise<void> {
    for (const task of tasks) {
      this.#tasks.delete(task.name);
      const resumed: TopicPartition[] = [];
      for (const tp of task.partitions()) {
        const key = partitionKey(tp);
        this.#taskByPartition.delete(tp.topic, tp.partition);
        if (this.#paused.delete(key)) resumed.push(tp);
      }
      // Pausing belongs to the assignment: a partition that comes back starts unpaused.
      if (resumed.length > 0 && !this.#closed) {
        try {
          this.#consumer.resume(resumed);
        } catch {
          // The consumer may already have dropped the partitions; nothing to resume then.
        }
      }
      addCounters(this.#retired, taskCounters(task));
      try {
        await task.close();
      } catch (error) {
        this.#options.config.logger.warn('A task failed to close.', { task: task.name, error: String(error) });
      }
    }
  }

  /** Runs `work` after every earlier commit or revocation has finished. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => undefined);
    return run;
  }
}

function taskCounters(task: ActiveTask): RuntimeCounters {
  const { processed, skipped, deadLettered, punctuations } = task.task.counters;
  return {
    recordsProcessed: processed,
    recordsSkipped: skipped,
    recordsDeadLettered: deadLettered,
    recordsProduced: 0,
    recordsDropped: 0,
    punctuations,
  };
}

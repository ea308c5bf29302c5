import type {
  Admin,
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
import { openTaskBytesStore } from '../state/open-task-bytes-store.ts';
import type { StateStore } from '../state/state-store.ts';
import type { StoreChangeListener } from '../state/store-context.ts';
import { ActiveTask, type FailureLocation } from './active-task.ts';
import { decodeAssignmentInfo } from './assignment-info.ts';
import { changelogHeaders } from './changelog-records.ts';
import { commitTasks } from './commit-tasks.ts';
import { KafkaRecordCollector } from './kafka-record-collector.ts';
import { localTaskStates } from './local-task-states.ts';
import { partitionKey } from './partition-group.ts';
import { PartitionMap } from './partition-map.ts';
import { type RestorableStore, type RestoringTask, restoreTasks } from './restore-task-stores.ts';
import { addCounters, emptyCounters, type RuntimeCounters } from './runtime-counters.ts';
import { StreamTask, type TaskStoreContext, taskIdString } from './stream-task.ts';
import { StreamsAssignor, taskName } from './streams-assignor.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';
import type { StreamsMetadataState } from './streams-metadata.ts';
import type { ThreadMetrics } from './thread-metrics.ts';
import type { TopicLayout } from './topic-layout.ts';

/** How long one poll waits for records when nothing else is due; bounds how soon close() is noticed. */
const maxPollWaitMs = 200;

export interface StreamThreadEvents {
  /** The group is rebalancing: this member's tasks are being revoked. */
  rebalancing(): void;
  /** This member has its new tasks, and their stores are restored. */
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
  /** Reads changelog start offsets for restoration; absent: changelogs are taken to start at 0. */
  readonly admin?: Pick<Admin, 'listOffsets'>;
  readonly wallClock: () => number;
  readonly events: StreamThreadEvents;
  /** The instance's global stores, which every task's processors may read. */
  readonly globalStore?: (name: string) => StateStore | undefined;
  /** Learns the group's task -> host map from every assignment; forgets it at every revocation. */
  readonly metadata?: StreamsMetadataState;
  /** Where latencies, rebalances and store operations are reported; absent: nothing is measured. */
  readonly metrics?: ThreadMetrics;
  /** Told every key-value store write, for interactive queries' change streams. */
  readonly onStoreChange?: StoreChangeListener;
}

/** Lag per input partition: the end offset minus the committed offset, refreshed in the background. */
export interface PartitionLagEntry {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** How often the lag is refreshed at most (it costs two requests to the brokers). */
const lagRefreshMs = 10_000;

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
  /** Records polled so far, for the consumed-records metric. */
  #consumed = 0;
  #lag: readonly PartitionLagEntry[] = [];
  #lagRefreshedAt = Number.NEGATIVE_INFINITY;
  #lagRefreshing = false;
  /** Changelog records left to restore, by "<store>:<partition>" (0 once restored). */
  readonly #restoreRemaining = new Map<string, number>();

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
      assignor: new StreamsAssignor(layout.subtopologies, {
        previousTasks: () => this.#previousTasks,
        stateTasks: () => localTaskStates({ stateDir: config.stateDir, applicationId: config.applicationId }),
        ...(config.applicationServer === undefined ? {} : { endpoint: config.applicationServer }),
      }),
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
    total.recordsConsumed = this.#consumed;
    total.recordsProduced = this.#collector.sent;
    total.recordsDropped = this.#collector.dropped;
    return total;
  }

  /** Records polled from input topics so far. */
  get consumed(): number {
    return this.#consumed;
  }

  /** The last lag measured for the partitions this loop owns (refreshed every few seconds). */
  lag(): readonly PartitionLagEntry[] {
    return this.#lag;
  }

  /** Changelog records store `storeName` of `partition` still has to restore here (0: restored). */
  restoreRemaining(storeName: string, partition: number): number | undefined {
    return this.#restoreRemaining.get(`${storeName}:${partition}`);
  }

  /** Records processed by each task of this loop, by task name. */
  taskProcessed(): { task: string; processed: number }[] {
    return [...this.#tasks.values()].map((task) => ({ task: task.name, processed: task.task.counters.processed }));
  }

  /** Tasks processing, and tasks still restoring their stores. */
  taskCounts(): { active: number; restoring: number } {
    let restoring = 0;
    for (const task of this.#tasks.values()) if (!task.restored) restoring++;
    return { active: this.#tasks.size - restoring, restoring };
  }

  /** Whether the task that owns `partition` of sub-topology `subtopology` runs here and is restored. */
  taskState(name: string): 'restored' | 'restoring' | undefined {
    const task = this.#tasks.get(name);
    if (task === undefined) return undefined;
    return task.restored ? 'restored' : 'restoring';
  }

  /** The ids of the tasks this loop runs now. */
  tasks(): readonly TaskId[] {
    return [...this.#tasks.values()].map((t) => t.id);
  }

  /** The instances of store `storeName` of every task of this loop, restored or not, by task name. */
  allStores(storeName: string): ReadonlyMap<string, StateStore> {
    const stores = new Map<string, StateStore>();
    for (const task of this.#tasks.values()) {
      const store = task.stores().get(storeName);
      if (store !== undefined) stores.set(task.name, store);
    }
    return stores;
  }

  /** The instances of store `storeName` of this loop's restored tasks, by task name. */
  stores(storeName: string): ReadonlyMap<string, StateStore> {
    const stores = new Map<string, StateStore>();
    for (const task of this.#tasks.values()) {
      const store = task.restored ? task.stores().get(storeName) : undefined;
      if (store !== undefined) stores.set(task.name, store);
    }
    return stores;
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
    const metrics = this.#options.metrics;
    // Tasks assigned before this round (at the join, or by a rebalance between polls) restore first: a poll
    // would wait up to its timeout for records that the tasks cannot process yet.
    if (this.#hasUnrestoredTasks()) await this.#exclusive(() => this.#restoreTasks());
    if (this.#stopRequested) return;
    const pollStarted = performance.now();
    const records = await this.#consumer.poll({
      maxRecords: config.maxPollRecords,
      timeoutMs: this.#pollTimeout(wallClock()),
    });
    // Records polled but not processed are not committed: the next owner (or this one) reads them again.
    if (this.#stopRequested) return;
    this.#consumed += records.length;
    if (metrics !== undefined) {
      metrics.observePoll((performance.now() - pollStarted) / 1000);
      const last = records.at(-1);
      if (last !== undefined) metrics.observeEndToEnd((wallClock() - last.timestamp) / 1000);
    }
    this.#enqueue(records);
    if (this.#hasUnrestoredTasks()) await this.#exclusive(() => this.#restoreTasks());
    const now = wallClock();
    const onFailure = (where: FailureLocation) => {
      this.#failure = where;
    };
    const processedBefore = metrics === undefined ? 0 : this.#processedNow();
    const processStarted = performance.now();
    for (const task of this.#tasks.values()) task.processReady(now, onFailure);
    if (metrics !== undefined) {
      const processed = this.#processedNow() - processedBefore;
      if (processed > 0) metrics.observeProcess((performance.now() - processStarted) / 1000 / processed);
    }
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
    const started = performance.now();
    await commitTasks(tasks, { collector: this.#collector, consumer: this.#consumer });
    this.#lastCommit = this.#options.wallClock();
    this.#options.metrics?.observeCommit((performance.now() - started) / 1000);
    this.#refreshLag();
  }

  #processedNow(): number {
    let total = 0;
    for (const task of this.#tasks.values()) total += task.task.counters.processed;
    return total;
  }

  /** Fire-and-forget: end offsets and committed offsets of the owned partitions, at most every 10 s. */
  #refreshLag(): void {
    const { admin, metrics, wallClock } = this.#options;
    const now = wallClock();
    if (
      admin === undefined ||
      metrics === undefined ||
      this.#lagRefreshing ||
      now - this.#lagRefreshedAt < lagRefreshMs
    ) {
      return;
    }
    const partitions = [...this.#tasks.values()].flatMap((task) => task.partitions());
    this.#lagRefreshing = true;
    this.#lagRefreshedAt = now;
    // Started inside then(): a client that throws synchronously must not fail the commit that asked.
    Promise.resolve()
      .then(() => Promise.all([admin.listOffsets(partitions, 'latest'), this.#consumer.committed(partitions)]))
      .then(([ends, committed]) => {
        const positions = new PartitionMap<number>();
        for (const entry of committed) positions.set(entry.topic, entry.partition, entry.offset);
        this.#lag = ends.map((end) => ({
          topic: end.topic,
          partition: end.partition,
          lag: Math.max(0, end.offset - Math.max(0, positions.get(end.topic, end.partition) ?? 0)),
        }));
      })
      .catch((error: unknown) => {
        this.#options.config.logger.debug('Could not measure the consumer lag.', { error: String(error) });
      })
      .finally(() => {
        this.#lagRefreshing = false;
      });
  }

  async #onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    if (!this.#stopRequested) this.#options.events.rebalancing();
    this.#options.metadata?.update(undefined);
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
    this.#options.metadata?.update(decodeAssignmentInfo(assignment.userData));
    this.#options.metrics?.rebalanced();
    this.#lagRefreshedAt = Number.NEGATIVE_INFINITY;
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
      const changelogs = this.#changelogsOf(id);
      // Offsets acknowledged while this thread ran the task before belong to a state it no longer has.
      this.#collector.forgetChangelogOffsets([...changelogs.values()]);
      const task = new ActiveTask(
        this.#createStreamTask(id, changelogs),
        partitions,
        this.#options.config.maxTaskIdleMs,
        changelogs,
      );
      this.#tasks.set(name, task);
      for (const tp of partitions) this.#taskByPartition.set(tp.topic, tp.partition, task);
    }
    this.#options.config.logger.info('Tasks assigned.', {
      thread: this.name,
      generation: assignment.generationId,
      tasks: [...this.#tasks.keys()],
    });
    // As Kafka Streams: the instance runs once its tasks' stores are restored (the next loop round).
    if (!this.#stopRequested && !this.#hasUnrestoredTasks()) this.#options.events.assigned(this.tasks());
  }

  #changelogsOf(id: TaskId): Map<string, TopicPartition> {
    const { layout } = this.#options;
    const subtopology = layout.subtopologies.find((s) => s.subtopology === id.subtopology)!.spec;
    const changelogs = new Map<string, TopicPartition>();
    for (const store of subtopology.stores) {
      const topic = layout.changelogTopic(store);
      if (topic !== undefined) changelogs.set(store, { topic, partition: id.partition });
    }
    return changelogs;
  }

  #createStreamTask(id: TaskId, changelogs: ReadonlyMap<string, TopicPartition>): StreamTask {
    const { topology, layout, config, wallClock } = this.#options;
    const subtopology = layout.subtopologies.find((s) => s.subtopology === id.subtopology)!.spec;
    const location = {
      stateDir: config.stateDir,
      applicationId: config.applicationId,
      taskId: taskIdString(id),
      onCorrupt: 'wipe' as const,
    };
    const storeContext: TaskStoreContext = {
      applicationId: config.applicationId,
      taskId: location.taskId,
      partition: id.partition,
      stateDir: config.stateDir,
      openBytesStore: (name, persistent) => openTaskBytesStore(location, name, persistent),
      changelog: {
        send: (storeName, key, value, timestamp, source) => {
          const changelog = changelogs.get(storeName);
          if (changelog === undefined) return;
          this.#collector.sendChangelog({
            topic: changelog.topic,
            partition: changelog.partition,
            key,
            value,
            timestamp,
            headers: changelogHeaders(source),
          });
        },
      },
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      cacheMaxBytes: config.cacheMaxBytesPerStore,
      // Store operations are timed only at the debug level: a clock read per operation is not free.
      ...(this.#options.metrics === undefined || config.metricsRecordingLevel !== 'debug'
        ? {}
        : { metrics: this.#options.metrics }),
      ...(this.#options.onStoreChange === undefined ? {} : { onChange: this.#options.onStoreChange }),
    };
    return new StreamTask({
      id,
      applicationId: config.applicationId,
      topology,
      subtopology,
      collector: this.#collector,
      storeContext,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      errorHandling: config.errorHandling,
      logger: config.logger,
      wallClock,
      resolveTopic: layout.realName,
      ...(this.#options.globalStore === undefined ? {} : { globalStore: this.#options.globalStore }),
    });
  }

  #hasUnrestoredTasks(): boolean {
    for (const task of this.#tasks.values()) if (!task.restored) return true;
    return false;
  }

  /**
   * Restores the logged stores of new tasks from their changelogs, before they process a record, with
   * a consumer of its own (the group consumer keeps its assignment and positions). Under the lock, so a
   * revocation cannot close a store being restored.
   */
  async #restoreTasks(): Promise<void> {
    const pending = [...this.#tasks.values()].filter((t) => !t.restored);
    if (pending.length === 0) return;
    const { client, config, admin, wallClock, metrics } = this.#options;
    const consumer = client.assignedConsumer(
      config.fetchMaxBytes === undefined ? {} : { maxBytes: config.fetchMaxBytes },
    );
    try {
      // One committed-offsets request and one restore assignment for all pending tasks together.
      const committed = await this.#consumer.committed(pending.flatMap((task) => task.partitions()));
      const restoring: RestoringTask[] = pending.map((task) => {
        const stores: RestorableStore[] = [];
        for (const [name, changelog] of task.changelogs) {
          const store = task.stores().get(name);
          if (store !== undefined) stores.push({ store, changelog });
        }
        const inputPartitions = task.partitions();
        const inputs = new Set(inputPartitions.map(partitionKey));
        return {
          task: task.name,
          stores,
          inputPartitions,
          committed: committed.filter((offset) => inputs.has(partitionKey(offset))),
        };
      });
      const byName = new Map(pending.map((task) => [task.name, task]));
      await restoreTasks(restoring, {
        consumer,
        earliestOffsets: (partitions) =>
          admin === undefined
            ? Promise.resolve(partitions.map((tp) => ({ ...tp, offset: 0 })))
            : admin.listOffsets(partitions, 'earliest'),
        logger: config.logger,
        wallClock,
        metrics: {
          // Kept for stale reads (they answer with how far behind the store is), then passed on.
          restoreProgress: (store, partition, remaining, restored, seconds) => {
            this.#restoreRemaining.set(`${store}:${partition}`, remaining);
            metrics?.restoreProgress(store, partition, remaining, restored, seconds);
          },
        },
        onTaskRestored: (name) => {
          const task = byName.get(name);
          if (task !== undefined) task.restored = true;
        },
      });
      if (!this.#stopRequested) this.#options.events.assigned(this.tasks());
    } finally {
      await consumer.close().catch((error: unknown) => {
        config.logger.warn('The restore consumer failed to close.', { thread: this.name, error: String(error) });
      });
    }
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
  const { processed, skipped, deadLettered, punctuations, droppedLate, droppedExpired, droppedNullKey } =
    task.task.counters;
  return {
    recordsConsumed: 0,
    recordsProcessed: processed,
    recordsSkipped: skipped,
    recordsDeadLettered: deadLettered,
    recordsProduced: 0,
    recordsDropped: 0,
    punctuations,
    recordsDroppedLate: droppedLate,
    recordsDroppedExpired: droppedExpired,
    recordsDroppedNullKey: droppedNullKey,
  };
}

import { type Observable, Subject } from 'rxjs';
import { KStreamsError, reasonOf } from '../errors.ts';
import { createKafkaClient } from '../kafka/create-kafka-client.ts';
import type { Admin, KafkaClient, OffsetReset } from '../kafka/types.ts';
import { StreamsMetrics } from '../metrics/streams-metrics.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { Topology } from '../processor/topology.ts';
import type { Serializer } from '../serdes/serde.ts';
import { destroyApplicationState, lockStateDirectory, type StateDirectoryLock } from '../state/lmdb/index.ts';
import type { StateStore, StoreBuilder } from '../state/state-store.ts';
import type { FailureLocation } from './active-task.ts';
import { GlobalStreamLoop } from './global-stream-loop.ts';
import {
  type QueryableKeyValueStore,
  type QueryableWindowStore,
  queryableKeyValueStore,
  queryableWindowStore,
  type StoreViewSource,
} from './queryable-stores.ts';
import { addCounters, emptyCounters, type RuntimeCounters } from './runtime-counters.ts';
import { StreamThread } from './stream-thread.ts';
import { type ResolvedStreamsConfig, resolveStreamsConfig, type StreamsConfig } from './streams-config.ts';
import {
  type KeyQueryMetadata,
  type StreamsMetadata,
  StreamsMetadataState,
  storeKeyTopic,
} from './streams-metadata.ts';
import { type StateListener, type StreamsState, StreamsStateMachine, streamsStates } from './streams-state.ts';
import { prepareTopicLayout, type TopicLayout } from './topic-layout.ts';

export interface KafkaStreamsOptions {
  /** The Kafka client to use (tests, custom adapters); default: one made from the configuration. */
  readonly client?: KafkaClient;
  /** Wall-clock time for punctuation and commit intervals; default Date.now. */
  readonly wallClock?: () => number;
  /** Node's process metrics on the app's registry too. Default true. */
  readonly defaultMetrics?: boolean;
}

/** A write to a key-value store of this instance, as it happened (`value` null: deleted). */
export interface StoreChangeEvent {
  readonly key: unknown;
  readonly value: unknown;
}

/** Where an uncaught error happened: the poll loop, and the task and record when known. */
export interface UncaughtErrorContext extends Partial<FailureLocation> {
  readonly thread: string;
}

export type UncaughtErrorListener = (error: unknown, context: UncaughtErrorContext) => void;

export interface CloseOptions {
  /** How long a clean close may take before clients are closed without committing. Default 30000. */
  readonly timeoutMs?: number;
}

const defaultCloseTimeoutMs = 30_000;

/**
 * A Kafka Streams application instance: runs a topology against Kafka with at-least-once processing.
 *
 * ```ts
 * const app = new KafkaStreams(topology, { applicationId: 'word-split', bootstrapServers: 'localhost:9092' });
 * await app.start();
 * // ...
 * await app.close();
 * ```
 *
 * `start()` checks the topics, creates internal topics and starts the poll loop, which joins the group
 * (REBALANCING) and processes once it has its tasks (RUNNING). An uncaught processing error follows the
 * `uncaughtErrorPolicy`; `close()` commits what was processed and leaves the group.
 */
export class KafkaStreams {
  readonly #topology: Topology;
  readonly #config: ResolvedStreamsConfig;
  readonly #client: KafkaClient;
  readonly #wallClock: () => number;
  readonly #machine: StreamsStateMachine;
  readonly #errorListeners = new Set<UncaughtErrorListener>();
  #admin: Admin | undefined;
  #stateLock: StateDirectoryLock | undefined;
  #layout: TopicLayout | undefined;
  #metadata: StreamsMetadataState | undefined;
  #offsetReset: OffsetReset = 'earliest';
  #thread: StreamThread | undefined;
  /** Keeps the global stores (GlobalKTable) current; only when the topology has some. */
  #global: GlobalStreamLoop | undefined;
  /** Counters of poll loops replaced after an error (replace-thread). */
  readonly #retiredCounters = emptyCounters();
  #threadCount = 0;
  #starting: Promise<void> | undefined;
  #replacing: Promise<void> | undefined;
  #errorShutdown: Promise<void> | undefined;
  #closing: Promise<boolean> | undefined;
  /** This instance's Prometheus registry and metric catalogue (one per app). */
  readonly metrics: StreamsMetrics;
  /** Change streams by store name, created when someone subscribes. */
  readonly #changes = new Map<string, Subject<StoreChangeEvent>>();

  constructor(topology: Topology, config: StreamsConfig, options: KafkaStreamsOptions = {}) {
    this.#topology = topology;
    this.#config = resolveStreamsConfig(config, { clientProvided: options.client !== undefined });
    this.#client =
      options.client ??
      createKafkaClient(
        { brokers: this.#config.bootstrapServers, clientId: this.#config.applicationId },
        this.#config.clientAdapter,
      );
    this.#wallClock = options.wallClock ?? Date.now;
    this.#machine = new StreamsStateMachine((error) =>
      this.#config.logger.warn('A state listener threw; ignored.', { error: reasonOf(error) }),
    );
    this.metrics = new StreamsMetrics({
      applicationId: this.#config.applicationId,
      appStates: streamsStates,
      ...(options.defaultMetrics === undefined ? {} : { defaultMetrics: options.defaultMetrics }),
    });
    this.metrics.bindSnapshot(() => {
      const counters = this.counters();
      const tasks = this.#thread?.taskCounts() ?? { active: 0, restoring: 0 };
      return {
        state: this.state,
        totals: {
          recordsConsumed: counters.recordsConsumed,
          recordsProcessed: counters.recordsProcessed,
          recordsSkipped: counters.recordsSkipped,
          recordsDeadLettered: counters.recordsDeadLettered,
          recordsProduced: counters.recordsProduced,
          recordsProduceFailed: counters.recordsDropped,
          recordsDroppedLate: counters.recordsDroppedLate,
          recordsDroppedExpired: counters.recordsDroppedExpired,
          recordsDroppedNullKey: counters.recordsDroppedNullKey,
          punctuations: counters.punctuations,
        },
        tasks: { active: tasks.active, standby: 0, restoring: tasks.restoring },
        lag: this.#thread?.lag() ?? [],
        taskProcessed: this.#thread?.taskProcessed() ?? [],
      };
    });
  }

  /**
   * Every write to store `storeName` on this instance as it happens (before commit: what a read sees),
   * from all its tasks; tasks assigned later are included. Interactive queries' long-polls follow it.
   */
  storeChanges$(storeName: string): Observable<StoreChangeEvent> {
    let subject = this.#changes.get(storeName);
    if (subject === undefined) {
      subject = new Subject<StoreChangeEvent>();
      this.#changes.set(storeName, subject);
    }
    return subject.asObservable();
  }

  /** The topology this app runs. */
  get topology(): Topology {
    return this.#topology;
  }

  /**
   * A read-only view of key-value store `storeName` over this instance's tasks (and the global copy of a
   * GlobalKTable's store). Reads fail with a retriable STORE_NOT_QUERYABLE while the key's task restores
   * or runs elsewhere; `staleReads: true` answers from restoring stores too.
   */
  store<K = unknown, V = unknown>(
    storeName: string,
    options: { readonly staleReads?: boolean } = {},
  ): QueryableKeyValueStore<K, V> {
    return queryableKeyValueStore<K, V>(this.#viewSource(), this.#queryableBuilder(storeName, 'key-value'), options);
  }

  /**
   * A read-only view of window or session store `storeName` (a key's windows in a time range), with the
   * same refusals as `store()`.
   */
  windowStore<K = unknown, V = unknown>(
    storeName: string,
    options: { readonly staleReads?: boolean } = {},
  ): QueryableWindowStore<K, V> {
    return queryableWindowStore<K, V>(this.#viewSource(), this.#queryableBuilder(storeName, 'window'), options);
  }

  #queryableBuilder(storeName: string, kind: 'key-value' | 'window'): StoreBuilder {
    const fits = (b: StoreBuilder) =>
      kind === 'key-value' ? b.queryKind === 'key-value' : b.queryKind === 'window' || b.queryKind === 'session';
    const builder = this.#topology.storeBuilders().find((b) => b.name === storeName);
    if (builder === undefined || !fits(builder)) {
      const wanted = kind === 'key-value' ? 'key-value' : 'window or session';
      throw new KStreamsError(
        'STORE_NOT_FOUND',
        `The topology has no ${wanted} store named "${storeName}"${builder?.queryKind === undefined ? '' : ` (it is a ${builder.queryKind} store)`}.`,
        {
          hint: `Query one of: ${this.#topology
            .storeBuilders()
            .filter(fits)
            .map((b) => b.name)
            .join(', ')}.`,
        },
      );
    }
    if (this.#layout === undefined) {
      throw new KStreamsError('STORE_NOT_QUERYABLE', `Store "${storeName}" cannot be queried before start().`, {
        hint: 'Call start() and query once the application is RUNNING.',
        retriable: true,
      });
    }
    return builder;
  }

  #viewSource(): StoreViewSource {
    return {
      localStores: (name) => this.localStores(name),
      allLocalStores: (name) => {
        const global = this.localStores(name).get('global');
        if (global !== undefined) return new Map([['global', global]]);
        return this.#thread?.allStores(name) ?? new Map();
      },
      taskState: (task) => this.taskState(task),
      storeChanges$: (name) => this.storeChanges$(name),
      storeLayout: (name) => (this.#layout === undefined ? undefined : storeKeyTopic(this.#layout, name)),
      defaultKeySerde: this.#config.defaultKeySerde,
      restoreRemaining: (name, partition) => this.#thread?.restoreRemaining(name, partition),
    };
  }

  /** Whether task `taskName` ("0_3") runs here, and if its stores are restored. */
  taskState(taskName: string): 'restored' | 'restoring' | undefined {
    return this.#thread?.taskState(taskName);
  }

  get state(): StreamsState {
    return this.#machine.state;
  }

  /** The current state, then every change (an RxJS Observable backed by a BehaviorSubject). */
  get state$(): Observable<StreamsState> {
    return this.#machine.state$;
  }

  /** The resolved configuration (defaults applied). */
  get config(): ResolvedStreamsConfig {
    return this.#config;
  }

  /** Calls `listener(newState, oldState)` on every change; returns a function that unsubscribes. */
  onStateChange(listener: StateListener): () => void {
    return this.#machine.onChange(listener);
  }

  /** Calls `listener` for every uncaught error of the poll loop, before the policy is applied. */
  onUncaughtError(listener: UncaughtErrorListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** What this instance has done since it was created, over all its tasks and poll loops. */
  counters(): RuntimeCounters {
    const total = addCounters(emptyCounters(), this.#retiredCounters);
    if (this.#global !== undefined) addCounters(total, this.#global.counters());
    return this.#thread === undefined ? total : addCounters(total, this.#thread.counters());
  }

  /**
   * This instance's copies of store `storeName`, by task ("0_1"), once restored: direct access for tests
   * and diagnostics. Interactive queries (read-only views that refuse while a task moves) come later.
   * A global store (GlobalKTable) is this instance's full copy, under the key "global".
   */
  localStores(storeName: string): ReadonlyMap<string, StateStore> {
    // A global store is one per instance, under the name "global", once loaded (the poll loop starts after).
    const global = this.#thread === undefined ? undefined : this.#global?.store(storeName);
    if (global !== undefined) return new Map([['global', global]]);
    return this.#thread?.stores(storeName) ?? new Map();
  }

  /** The tasks this instance runs now. */
  tasks(): readonly TaskId[] {
    return this.#thread?.tasks() ?? [];
  }

  /**
   * Every instance of the application that advertises an `applicationServer`, with its partitions, tasks
   * and stores, as the last assignment says (Kafka Streams' metadataForAllStreamsClients). Empty while
   * the group rebalances.
   */
  allMetadata(): readonly StreamsMetadata[] {
    return this.#metadata?.allMetadata() ?? [];
  }

  /** The instances whose tasks have store `storeName`; empty while the group rebalances. */
  allMetadataForStore(storeName: string): readonly StreamsMetadata[] {
    return this.#metadata?.allMetadataForStore(storeName) ?? [];
  }

  /**
   * The instance (`host`, `port`) and partition holding `key` in store `storeName`, hashed like the
   * Java producer. Throws a retriable KAFKA_REBALANCE_IN_PROGRESS while no instance is known to own it.
   */
  metadataForKey<K>(storeName: string, key: K, keySerializer: Serializer<K>): KeyQueryMetadata {
    if (this.#metadata === undefined) {
      throw new KStreamsError('KAFKA_REBALANCE_IN_PROGRESS', 'The application has not joined its group yet.', {
        hint: 'Call start() and retry once the application is RUNNING.',
        retriable: true,
      });
    }
    return this.#metadata.metadataForKey(storeName, key, keySerializer);
  }

  /**
   * Checks the source topics (they must exist and be co-partitioned per sub-topology), creates internal
   * topics, and starts the poll loop. Resolves once the loop runs; the state then moves to RUNNING when
   * the group has given this instance its tasks. A failed check rejects and leaves the app in ERROR.
   */
  start(): Promise<void> {
    if (this.state !== 'CREATED') {
      return Promise.reject(
        new KStreamsError('ILLEGAL_STATE', `Cannot start the application in state ${this.state}.`, {
          hint: 'Call start() once on a new KafkaStreams; make a new instance to start again after close().',
        }),
      );
    }
    this.#machine.transition('REBALANCING');
    this.#starting = this.#start();
    return this.#starting;
  }

  /**
   * Stops the poll loop at a batch boundary, commits what was processed, closes the tasks, leaves the
   * group and closes the clients. Resolves true when that finished within the timeout with a final
   * commit (or nothing to commit after an error); otherwise the clients are closed without committing
   * (the uncommitted input is processed again) and it resolves false. Idempotent: later calls return the
   * first call's result.
   */
  close(options: CloseOptions = {}): Promise<boolean> {
    this.#closing ??= this.#close(options.timeoutMs ?? defaultCloseTimeoutMs);
    return this.#closing;
  }

  async #start(): Promise<void> {
    try {
      // As Kafka Streams: only persistent stores need the state directory, and so its lock.
      if (this.#topology.storeBuilders().some((builder) => builder.persistent === true)) {
        this.#stateLock = lockStateDirectory({
          stateDir: this.#config.stateDir,
          applicationId: this.#config.applicationId,
        });
      }
      this.#admin = this.#client.admin();
      this.#layout = await prepareTopicLayout(this.#topology, this.#config.applicationId, this.#admin);
      this.#metadata = new StreamsMetadataState(this.#layout);
      this.#offsetReset = offsetResetOf(this.#topology, new Set(this.#layout.globalTopics.map((t) => t.topic)));
    } catch (error) {
      this.#config.logger.error('The application could not start.', { error: reasonOf(error) });
      if (this.#machine.transition('PENDING_ERROR')) {
        await this.#admin?.close().catch(() => undefined);
        this.#releaseStateLock();
        this.#machine.transition('ERROR');
      }
      throw error;
    }
    // close() may have been called while the topics were checked.
    if (this.state === 'REBALANCING' && this.#layout!.globalTopics.length > 0) await this.#startGlobalStores();
    if (this.state === 'REBALANCING') this.#startThread();
  }

  /**
   * Loads the global stores to their topics' end before the poll loop starts (as Kafka Streams, the app is
   * not RUNNING before), then keeps them current in a loop of their own. A failure stops the application.
   */
  async #startGlobalStores(): Promise<void> {
    try {
      this.#global = new GlobalStreamLoop({
        client: this.#client,
        topology: this.#topology,
        topics: this.#layout!.globalTopics,
        config: this.#config,
        admin: this.#admin!,
        wallClock: this.#wallClock,
        failed: (error) => this.#onGlobalFailed(error),
      });
      await this.#global.bootstrap();
      if (this.state === 'REBALANCING') this.#global.start();
    } catch (error) {
      // close() stopped the bootstrap and finishes the shutdown itself.
      if (this.state === 'PENDING_SHUTDOWN') return;
      this.#config.logger.error('The global stores could not be loaded.', { error: reasonOf(error) });
      if (this.#machine.transition('PENDING_ERROR')) {
        await this.#global?.abort();
        await this.#admin?.close().catch(() => undefined);
        this.#releaseStateLock();
        this.#machine.transition('ERROR');
      }
      throw error;
    }
  }

  /** As Kafka Streams: global stores that no longer move stop the application, whatever the policy. */
  #onGlobalFailed(error: unknown): void {
    const context: UncaughtErrorContext = { thread: `${this.#config.applicationId}-GlobalStreamThread` };
    this.#config.logger.error('Uncaught error in the global stores loop.', {
      ...context,
      code: error instanceof KStreamsError ? error.code : undefined,
      error: reasonOf(error),
    });
    this.#tellErrorListeners(error, context);
    if (this.state !== 'RUNNING' && this.state !== 'REBALANCING') return;
    this.#machine.transition('PENDING_ERROR');
    this.#errorShutdown = (async () => {
      await this.#thread?.abort();
      await this.#global?.abort();
      await this.#admin?.close().catch(() => undefined);
      this.#releaseStateLock();
      this.#machine.transition('ERROR');
    })();
  }

  #tellErrorListeners(error: unknown, context: UncaughtErrorContext): void {
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(error, context);
      } catch (listenerError) {
        this.#config.logger.warn('An uncaught-error listener threw; ignored.', { error: reasonOf(listenerError) });
      }
    }
  }

  #startThread(): void {
    if (this.#thread !== undefined) addCounters(this.#retiredCounters, this.#thread.counters());
    const global = this.#global;
    const thread: StreamThread = new StreamThread({
      ...(global === undefined ? {} : { globalStore: (name: string) => global.store(name) }),
      name: `${this.#config.applicationId}-StreamThread-${++this.#threadCount}`,
      client: this.#client,
      topology: this.#topology,
      layout: this.#layout!,
      config: this.#config,
      offsetReset: this.#offsetReset,
      admin: this.#admin,
      wallClock: this.#wallClock,
      ...(this.#metadata === undefined ? {} : { metadata: this.#metadata }),
      metrics: this.metrics,
      onStoreChange: (storeName, key, value) => this.#changes.get(storeName)?.next({ key, value }),
      events: {
        rebalancing: () => {
          if (this.#thread === thread) this.#machine.transition('REBALANCING');
        },
        assigned: () => {
          if (this.#thread === thread) this.#machine.transition('RUNNING');
        },
        failed: (error, where) => this.#onThreadFailed(thread, error, where),
      },
    });
    this.#thread = thread;
    this.#config.logger.info('Starting the poll loop.', { thread: thread.name });
    thread.start();
  }

  #onThreadFailed(thread: StreamThread, error: unknown, where: FailureLocation | undefined): void {
    if (this.#thread !== thread) return;
    const context: UncaughtErrorContext = { thread: thread.name, ...where };
    this.#config.logger.error('Uncaught error in the poll loop.', {
      ...context,
      code: error instanceof KStreamsError ? error.code : undefined,
      error: reasonOf(error),
      policy: this.#config.uncaughtErrorPolicy,
    });
    this.#tellErrorListeners(error, context);
    // During close() the failed loop is closed there, without committing.
    if (this.state !== 'RUNNING' && this.state !== 'REBALANCING') return;
    if (this.#config.uncaughtErrorPolicy === 'replace-thread') {
      this.#replacing = (async () => {
        await thread.abort();
        if (this.state !== 'RUNNING' && this.state !== 'REBALANCING') return;
        this.#machine.transition('REBALANCING');
        this.#startThread();
      })().catch((replaceError: unknown) => {
        this.#config.logger.error('Could not replace the poll loop.', { error: reasonOf(replaceError) });
      });
      return;
    }
    this.#machine.transition('PENDING_ERROR');
    this.#errorShutdown = (async () => {
      await thread.abort();
      await this.#global?.abort();
      await this.#admin?.close().catch(() => undefined);
      this.#releaseStateLock();
      this.#machine.transition('ERROR');
    })();
  }

  async #close(timeoutMs: number): Promise<boolean> {
    if (this.state === 'PENDING_ERROR') {
      await this.#errorShutdown;
      return true;
    }
    if (!this.#machine.transition('PENDING_SHUTDOWN')) return true;
    const graceful = (async () => {
      this.#global?.requestStop();
      await this.#starting?.catch(() => undefined);
      await this.#replacing;
      const committed = (await this.#thread?.close()) ?? true;
      await this.#global?.close();
      await this.#admin?.close();
      return committed;
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(false), Math.min(timeoutMs, 2 ** 31 - 1));
    });
    const finished = await Promise.race([graceful, timedOut]).catch((error: unknown) => {
      this.#config.logger.error('Closing failed; closing the clients without committing.', { error: reasonOf(error) });
      return false as const;
    });
    clearTimeout(timer);
    if (!finished) {
      this.#config.logger.warn('The application did not close cleanly in time; forcing.', { timeoutMs });
      await Promise.race([
        Promise.allSettled([this.#thread?.abort(), this.#global?.abort(), this.#admin?.close()]),
        new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
    }
    this.#releaseStateLock();
    this.#machine.transition('NOT_RUNNING');
    return finished;
  }

  /**
   * Deletes this application's local state (`<stateDir>/<applicationId>/`), as Kafka Streams' cleanUp():
   * the next start restores every store from its changelog. Only before start() or after close().
   */
  cleanUp(): void {
    if (this.state !== 'CREATED' && this.state !== 'NOT_RUNNING' && this.state !== 'ERROR') {
      throw new KStreamsError('ILLEGAL_STATE', `Cannot clean up local state in state ${this.state}.`, {
        hint: 'Call cleanUp() before start() or after close().',
      });
    }
    destroyApplicationState({ stateDir: this.#config.stateDir, applicationId: this.#config.applicationId });
  }

  #releaseStateLock(): void {
    this.#stateLock?.release();
    this.#stateLock = undefined;
  }
}

/**
 * The consumer has one reset policy: every user source must ask for the same (internal topics follow).
 * Global tables are always loaded from the start, so their sources do not count.
 */
function offsetResetOf(topology: Topology, globalTopics: ReadonlySet<string>): OffsetReset {
  const internal = new Set(topology.internalTopics().map((t) => t.name));
  const resets = new Set(
    topology
      .sources()
      .filter((s) => s.pattern !== undefined || s.topics.some((t) => !internal.has(t) && !globalTopics.has(t)))
      .map((s) => s.options.offsetReset ?? 'earliest'),
  );
  if (resets.size > 1) {
    throw new KStreamsError('TOPOLOGY_INVALID', 'The sources ask for different offset resets (earliest and latest).', {
      hint: 'Give every source the same offsetReset for now; per-source resets are not supported yet.',
    });
  }
  return [...resets][0] ?? 'earliest';
}

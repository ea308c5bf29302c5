import type { Observable } from 'rxjs';
import { KStreamsError, reasonOf } from '../errors.ts';
import { createKafkaClient } from '../kafka/create-kafka-client.ts';
import type { Admin, KafkaClient, OffsetReset } from '../kafka/types.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { Topology } from '../processor/topology.ts';
import { destroyApplicationState, lockStateDirectory, type StateDirectoryLock } from '../state/lmdb/index.ts';
import type { StateStore } from '../state/state-store.ts';
import type { FailureLocation } from './active-task.ts';
import { addCounters, emptyCounters, type RuntimeCounters } from './runtime-counters.ts';
import { StreamThread } from './stream-thread.ts';
import { type ResolvedStreamsConfig, resolveStreamsConfig, type StreamsConfig } from './streams-config.ts';
import { type StateListener, type StreamsState, StreamsStateMachine } from './streams-state.ts';
import { prepareTopicLayout, type TopicLayout } from './topic-layout.ts';

export interface KafkaStreamsOptions {
  /** The Kafka client to use (tests, custom adapters); default: one made from the configuration. */
  readonly client?: KafkaClient;
  /** Wall-clock time for punctuation and commit intervals; default Date.now. */
  readonly wallClock?: () => number;
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
  #offsetReset: OffsetReset = 'earliest';
  #thread: StreamThread | undefined;
  /** Counters of poll loops replaced after an error (replace-thread). */
  readonly #retiredCounters = emptyCounters();
  #threadCount = 0;
  #starting: Promise<void> | undefined;
  #replacing: Promise<void> | undefined;
  #errorShutdown: Promise<void> | undefined;
  #closing: Promise<boolean> | undefined;

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
    return this.#thread === undefined ? total : addCounters(total, this.#thread.counters());
  }

  /**
   * This instance's copies of store `storeName`, by task ("0_1"), once restored: direct access for tests
   * and diagnostics. Interactive queries (read-only views that refuse while a task moves) come later.
   */
  localStores(storeName: string): ReadonlyMap<string, StateStore> {
    return this.#thread?.stores(storeName) ?? new Map();
  }

  /** The tasks this instance runs now. */
  tasks(): readonly TaskId[] {
    return this.#thread?.tasks() ?? [];
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
      if (this.#topology.globalStoreNames().length > 0) {
        throw new KStreamsError(
          'TOPOLOGY_INVALID',
          'The topology has global stores, which the runtime cannot run yet.',
          {
            hint: 'Remove the GlobalKTable for now; global stores arrive with the state-store work.',
          },
        );
      }
      // As Kafka Streams: only persistent stores need the state directory, and so its lock.
      if (this.#topology.storeBuilders().some((builder) => builder.persistent === true)) {
        this.#stateLock = lockStateDirectory({
          stateDir: this.#config.stateDir,
          applicationId: this.#config.applicationId,
        });
      }
      this.#admin = this.#client.admin();
      this.#layout = await prepareTopicLayout(this.#topology, this.#config.applicationId, this.#admin);
      this.#offsetReset = offsetResetOf(this.#topology);
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
    if (this.state === 'REBALANCING') this.#startThread();
  }

  #startThread(): void {
    if (this.#thread !== undefined) addCounters(this.#retiredCounters, this.#thread.counters());
    const thread: StreamThread = new StreamThread({
      name: `${this.#config.applicationId}-StreamThread-${++this.#threadCount}`,
      client: this.#client,
      topology: this.#topology,
      layout: this.#layout!,
      config: this.#config,
      offsetReset: this.#offsetReset,
      admin: this.#admin,
      wallClock: this.#wallClock,
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
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(error, context);
      } catch (listenerError) {
        this.#config.logger.warn('An uncaught-error listener threw; ignored.', { error: reasonOf(listenerError) });
      }
    }
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
      await this.#starting?.catch(() => undefined);
      await this.#replacing;
      const committed = (await this.#thread?.close()) ?? true;
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
        Promise.allSettled([this.#thread?.abort(), this.#admin?.close()]),
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

/** The consumer has one reset policy: every user source must ask for the same (internal topics follow). */
function offsetResetOf(topology: Topology): OffsetReset {
  const internal = new Set(topology.internalTopics().map((t) => t.name));
  const resets = new Set(
    topology
      .sources()
      .filter((s) => s.pattern !== undefined || s.topics.some((t) => !internal.has(t)))
      .map((s) => s.options.offsetReset ?? 'earliest'),
  );
  if (resets.size > 1) {
    throw new KStreamsError('TOPOLOGY_INVALID', 'The sources ask for different offset resets (earliest and latest).', {
      hint: 'Give every source the same offsetReset for now; per-source resets are not supported yet.',
    });
  }
  return [...resets][0] ?? 'earliest';
}

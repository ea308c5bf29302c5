import { KStreamsError, reasonOf } from '../errors.ts';
import type {
  Admin,
  AssignedConsumer,
  KafkaClient,
  Producer,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/types.ts';
import type { Topology } from '../processor/topology.ts';
import type { StateStore } from '../state/state-store.ts';
import { GlobalStateTask } from './global-state-task.ts';
import type { OutgoingRecord } from './record-collector.ts';
import type { RuntimeCounters } from './runtime-counters.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';

/** A global topic and its partition count, as checked at start. */
export interface GlobalTopic {
  readonly topic: string;
  readonly partitions: number;
}

export interface GlobalStreamLoopOptions {
  readonly client: KafkaClient;
  readonly topology: Topology;
  readonly topics: readonly GlobalTopic[];
  readonly config: ResolvedStreamsConfig;
  /** Reads the log start offsets (where a wiped or new store starts). */
  readonly admin: Pick<Admin, 'listOffsets'>;
  readonly wallClock: () => number;
  /** The loop stopped on an error after bootstrapping; the global stores no longer move. */
  readonly failed: (error: unknown) => void;
  /** Records per poll while bootstrapping (default 10000). */
  readonly bootstrapBatchRecords?: number;
  /** How often bootstrap progress is logged (default 10 s). */
  readonly progressIntervalMs?: number;
  /** Fail the bootstrap when no record arrives for this long while records remain (default 60 s). */
  readonly stallTimeoutMs?: number;
}

/** What the last bootstrap did. */
export interface GlobalBootstrapResult {
  /** Records between the stored (or start) offsets and the end offsets when bootstrapping began. */
  readonly remaining: number;
  /** Partitions that resumed from an offset stored with the data. */
  readonly resumedPartitions: number;
  /** Stores wiped because a stored offset was outside the topic (truncated or recreated). */
  readonly wiped: readonly string[];
}

/** How long one poll waits for records; bounds how soon close() is noticed. */
const maxPollWaitMs = 200;

/**
 * Kafka Streams' GlobalStreamThread: keeps the global stores of this instance over every partition of
 * their topics, with a manually assigned consumer (no group). `bootstrap` loads them to the topics' end
 * offsets before the app runs; `start` then keeps them current in a loop of its own, committing on the
 * commit interval.
 *
 * Its own loop rather than steps between the stream thread's batches: the global stores must move while
 * the stream thread waits in a rebalance or restores, and a replaced stream thread must not take them
 * down. Both loops run on the one event loop and store writes and reads are synchronous, so a stream task
 * never sees a half-applied record.
 */
export class GlobalStreamLoop {
  readonly #options: GlobalStreamLoopOptions;
  readonly #consumer: AssignedConsumer;
  readonly #task: GlobalStateTask;
  readonly #deadLetters: OutgoingRecord[] = [];
  #producer: Producer | undefined;
  #loop: Promise<void> | undefined;
  #lastCommit = 0;
  #stopRequested = false;
  #failed = false;
  #closed = false;

  constructor(options: GlobalStreamLoopOptions) {
    this.#options = options;
    const { config, client } = options;
    this.#consumer = client.assignedConsumer(
      config.fetchMaxBytes === undefined ? {} : { maxBytes: config.fetchMaxBytes },
    );
    try {
      this.#task = new GlobalStateTask({
        topology: options.topology,
        applicationId: config.applicationId,
        stateDir: config.stateDir,
        defaultKeySerde: config.defaultKeySerde,
        defaultValueSerde: config.defaultValueSerde,
        errorHandling: config.errorHandling,
        collector: { send: (record) => this.#deadLetters.push(record), partitionCount: () => undefined },
        logger: config.logger,
        wallClock: options.wallClock,
        cacheMaxBytes: config.cacheMaxBytesPerStore,
      });
    } catch (error) {
      void this.#consumer.close().catch(() => undefined);
      throw error;
    }
  }

  /** The global store `name`, for stream tasks' processors and local queries. */
  store(name: string): StateStore | undefined {
    return this.#task.stores().get(name);
  }

  counters(): RuntimeCounters {
    const c = this.#task.counters();
    return {
      // Global records are counted as processed, not as consumed by the group.
      recordsConsumed: 0,
      recordsProcessed: c.processed,
      recordsSkipped: c.skipped,
      recordsDeadLettered: c.deadLettered,
      recordsProduced: 0,
      recordsDropped: 0,
      punctuations: c.punctuations,
      recordsDroppedLate: c.droppedLate,
      recordsDroppedExpired: c.droppedExpired,
      recordsDroppedNullKey: c.droppedNullKey,
    };
  }

  /**
   * Loads every global store up to the end offsets its topics have now: from the offsets stored with the
   * data, or from the start for a new store or one whose stored offset is outside the topic (wiped first).
   */
  async bootstrap(): Promise<GlobalBootstrapResult> {
    const { config, admin, topics } = this.#options;
    const logger = config.logger;
    const clock = this.#options.wallClock;
    const partitions: TopicPartition[] = topics.flatMap(({ topic, partitions: count }) =>
      Array.from({ length: count }, (_, partition) => ({ topic, partition })),
    );
    const [ends, starts] = await Promise.all([
      this.#consumer.endOffsets(partitions),
      admin.listOffsets(partitions, 'earliest'),
    ]);
    const endOf = offsetLookup(ends);
    const startOf = offsetLookup(starts);
    const wiped: string[] = [];
    for (const { topic } of topics) {
      const outside = partitions.find((tp) => {
        const stored = this.#task.position(tp);
        return tp.topic === topic && stored !== undefined && (stored < startOf(tp) || stored > endOf(tp));
      });
      if (outside === undefined) continue;
      logger.warn('A global store is ahead of or behind its topic; wiping it to load it from the start.', {
        topic,
        partition: outside.partition,
        storedOffset: this.#task.position(outside),
        logStartOffset: startOf(outside),
        endOffset: endOf(outside),
      });
      wiped.push(...(await this.#task.wipe(topic)));
    }
    const positions = partitions.map((tp) => ({ ...tp, offset: this.#task.position(tp) ?? startOf(tp) }));
    const resumedPartitions = partitions.filter((tp) => this.#task.position(tp) !== undefined).length;
    const open = new Map(
      positions.filter((p) => p.offset < endOf(p)).map((p) => [`${p.topic}\u0000${p.partition}`, endOf(p)]),
    );
    const remaining = positions.reduce((sum, p) => sum + Math.max(0, endOf(p) - p.offset), 0);
    this.#task.startAt(positions);
    await this.#consumer.assign(positions);
    const started = clock();
    logger.info('Bootstrapping global stores.', {
      stores: [...this.#task.stores().keys()],
      topics: topics.map((t) => t.topic),
      records: remaining,
      resumedPartitions,
    });
    let applied = 0;
    let lastLog = started;
    let lastProgress = started;
    while (open.size > 0) {
      if (this.#stopRequested) throw closedWhileBootstrapping();
      const records = await this.#consumer.poll({
        maxRecords: this.#options.bootstrapBatchRecords ?? 10_000,
        timeoutMs: 500,
      });
      for (const record of records) {
        this.#task.process(record);
        const key = `${record.topic}\u0000${record.partition}`;
        const end = open.get(key);
        if (end !== undefined && record.offset + 1 >= end) open.delete(key);
      }
      applied += records.length;
      if (records.length > 0) await this.#commit();
      const now = clock();
      if (records.length > 0) lastProgress = now;
      else if (now - lastProgress > (this.#options.stallTimeoutMs ?? 60_000)) throw stalled(open);
      if (open.size > 0 && now - lastLog >= (this.#options.progressIntervalMs ?? 10_000)) {
        lastLog = now;
        logger.info('Bootstrapping global stores.', { applied, recordsPerSecond: rate(applied, now - started) });
      }
    }
    await this.#commit();
    const elapsedMs = clock() - started;
    logger.info('Bootstrapped global stores.', {
      applied,
      elapsedMs,
      recordsPerSecond: rate(applied, elapsedMs),
    });
    return { remaining, resumedPartitions, wiped };
  }

  /** Keeps the global stores current until close(); call after bootstrap(). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Makes a running bootstrap stop at its next batch (close() follows). */
  requestStop(): void {
    this.#stopRequested = true;
  }

  /** Stops the loop, commits what it applied, and closes the stores and clients. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopRequested = true;
    await this.#loop;
    try {
      if (!this.#failed) await this.#commit();
    } catch (error) {
      this.#options.config.logger.warn('The final commit of the global stores failed; they load the rest again.', {
        error: reasonOf(error),
      });
    }
    await this.#shutDown();
  }

  /** Closes without committing (after a failure, or a stuck close). */
  async abort(): Promise<void> {
    this.#failed = true;
    this.#stopRequested = true;
    if (this.#closed) return;
    this.#closed = true;
    await this.#shutDown();
  }

  async #shutDown(): Promise<void> {
    const logger = this.#options.config.logger;
    await this.#task.close().catch((error: unknown) => {
      logger.warn('A global store failed to close.', { error: reasonOf(error) });
    });
    const results = await Promise.allSettled([this.#consumer.close(), this.#producer?.close()]);
    for (const result of results) {
      if (result.status === 'rejected') {
        logger.warn('A global client failed to close.', { error: reasonOf(result.reason) });
      }
    }
  }

  async #run(): Promise<void> {
    const { config, wallClock } = this.#options;
    this.#lastCommit = wallClock();
    try {
      while (!this.#stopRequested) {
        const timeoutMs = Math.max(
          0,
          Math.min(maxPollWaitMs, this.#lastCommit + config.commitIntervalMs - wallClock()),
        );
        const records = await this.#consumer.poll({ maxRecords: config.maxPollRecords, timeoutMs });
        // Records polled but not applied are read again after a restart: positions only move when applied.
        if (this.#stopRequested) return;
        for (const record of records) this.#task.process(record);
        if (this.#task.commitRequested || wallClock() - this.#lastCommit >= config.commitIntervalMs) {
          await this.#commit();
        }
      }
    } catch (error) {
      if (this.#closed && this.#failed) return;
      this.#failed = true;
      this.#stopRequested = true;
      this.#options.failed(error);
    }
  }

  /** Dead letters first (acknowledged), then the stores with the offsets they cover. */
  async #commit(): Promise<void> {
    if (this.#deadLetters.length > 0) {
      const records = this.#deadLetters.splice(0);
      this.#producer ??= this.#options.client.producer();
      await this.#producer.send(
        records.map((r) => ({
          topic: r.topic,
          ...(r.partition === undefined ? {} : { partition: r.partition }),
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
        })),
      );
    }
    await this.#task.commit();
    this.#lastCommit = this.#options.wallClock();
  }
}

function offsetLookup(offsets: readonly TopicPartitionOffset[]): (tp: TopicPartition) => number {
  const byKey = new Map(offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
  return (tp) => byKey.get(`${tp.topic}\u0000${tp.partition}`) ?? 0;
}

function rate(records: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? records : Math.round((records * 1000) / elapsedMs);
}

function closedWhileBootstrapping(): KStreamsError {
  return new KStreamsError('ILLEGAL_STATE', 'The application was closed while its global stores were loading.', {
    hint: 'Nothing to fix: the global stores resume from their stored offsets at the next start.',
  });
}

function stalled(open: ReadonlyMap<string, number>): KStreamsError {
  const where = [...open].map(([key, end]) => `${key.replace('\u0000', '-')} (end offset ${end})`).join(', ');
  return new KStreamsError('KAFKA_CONSUME_FAILED', `Loading the global stores made no progress: ${where}.`, {
    hint: 'Check that the broker is reachable and the global topics are readable; loading resumes after a restart.',
    retriable: true,
  });
}

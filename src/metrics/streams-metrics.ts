import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSnapshot, MetricsTotals } from './metrics-snapshot.ts';

export interface StreamsMetricsOptions {
  readonly applicationId: string;
  /** Every state the application can be in; `kstreams_app_state` has one series per state. */
  readonly appStates: readonly string[];
  /** Node's process metrics (CPU, memory, event loop lag, GC) on the same registry. Default: true. */
  readonly defaultMetrics?: boolean;
}

/** Seconds; store operations and per-record processing sit in the microsecond range. */
const fastBuckets = [0.000_005, 0.000_02, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
/** Seconds; polls, commits and restoration batches. */
const ioBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds from a record's timestamp to its processing, which includes time spent in Kafka. */
const endToEndBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300];

const mislabelledDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Which snapshot total feeds which `_total` counter, and the help text the scrape shows. */
const totalCounters: ReadonlyArray<{ key: keyof MetricsTotals; name: string; help: string; labels?: object }> = [
  { key: 'recordsConsumed', name: 'kstreams_records_consumed_total', help: 'Records fetched from input topics.' },
  { key: 'recordsProcessed', name: 'kstreams_records_processed_total', help: 'Records run through the topology.' },
  { key: 'recordsProduced', name: 'kstreams_records_produced_total', help: 'Records handed to the producer.' },
  {
    key: 'recordsSkipped',
    name: 'kstreams_records_skipped_total',
    help: 'Records skipped by the log-and-continue error policies.',
  },
  {
    key: 'recordsDeadLettered',
    name: 'kstreams_records_dead_lettered_total',
    help: 'Records sent to the dead-letter topic.',
  },
  {
    key: 'recordsProduceFailed',
    name: 'kstreams_records_produce_failed_total',
    help: 'Output records the broker refused and the production policy dropped.',
  },
  { key: 'punctuations', name: 'kstreams_punctuations_total', help: 'Punctuator calls.' },
];

/** Records processors dropped on purpose, one series per reason. */
const droppedReasons: ReadonlyArray<{ key: keyof MetricsTotals; reason: string }> = [
  { key: 'recordsDroppedLate', reason: 'late' },
  { key: 'recordsDroppedExpired', reason: 'expired' },
  { key: 'recordsDroppedNullKey', reason: 'null-key' },
];

/**
 * One Prometheus registry per application instance, with the kstreams metric catalogue. Hot-path totals
 * are pulled from a snapshot at scrape time; latencies are pushed (sampled by the caller where needed).
 * `recordOperation` and `recordCacheLookup` make it usable as the state layer's StoreMetrics.
 */
export class StreamsMetrics {
  readonly registry: Registry;
  readonly #appStates: readonly string[];
  #snapshot: (() => MetricsSnapshot) | undefined;
  /** The totals last exported, so counters grow by the difference. */
  readonly #exported = new Map<string, number>();
  readonly #poll: Histogram;
  readonly #commit: Histogram;
  readonly #process: Histogram;
  readonly #endToEnd: Histogram;
  readonly #rebalances: Counter;
  readonly #storeOperation: Histogram<'store' | 'operation'>;
  readonly #cacheLookups: Counter<'store' | 'result'>;
  readonly #cacheCounts = new Map<string, { hits: number; misses: number }>();
  readonly #restoreRemaining: Gauge<'store' | 'partition'>;
  readonly #restored: Counter<'store'>;
  readonly #restoreRate: Gauge<'store'>;

  constructor(options: StreamsMetricsOptions) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({ application_id: options.applicationId });
    this.#appStates = options.appStates;
    const registers = [this.registry];
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client exports these sums as gauges named `_total`, which promtool rejects; the same
      // numbers are in `nodejs_active_handles` / `_requests` / `_resources` by type.
      for (const name of mislabelledDefaults) this.registry.removeSingleMetric(name);
    }

    for (const counter of totalCounters) {
      new Counter({ name: counter.name, help: counter.help, registers, collect: this.#collectTotal(counter.key) });
    }
    const exported = this.#exported;
    const read = () => this.#snapshot?.();
    const dropped = new Counter({
      name: 'kstreams_records_dropped_total',
      help: 'Records processors dropped on purpose: late for their window, past retention, null keys.',
      labelNames: ['reason'],
      registers,
      collect() {
        const snapshot = read();
        if (snapshot === undefined) return;
        for (const { key, reason } of droppedReasons) {
          const delta = growth(exported, `dropped:${reason}`, snapshot.totals[key]);
          if (delta > 0) this.inc({ reason }, delta);
        }
      },
    });
    // Every reason is exported from the start, so rate() sees a series before the first drop.
    for (const { reason } of droppedReasons) dropped.inc({ reason }, 0);

    const appStates = this.#appStates;
    new Gauge({
      name: 'kstreams_app_state',
      help: 'The application state: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const state = read()?.state;
        for (const candidate of appStates) this.set({ state: candidate }, candidate === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kstreams_tasks',
      help: 'Tasks this instance runs, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        const tasks = read()?.tasks;
        this.set({ kind: 'active' }, tasks?.active ?? 0);
        this.set({ kind: 'standby' }, tasks?.standby ?? 0);
        this.set({ kind: 'restoring' }, tasks?.restoring ?? 0);
      },
    });
    new Counter({
      name: 'kstreams_task_records_processed_total',
      help: 'Records processed per task while it ran on this instance.',
      labelNames: ['task'],
      registers,
      collect() {
        for (const { task, processed } of read()?.taskProcessed ?? []) {
          // A task that left and came back starts from 0 again: count from there.
          const key = `task:${task}`;
          const before = exported.get(key) ?? 0;
          const delta = processed >= before ? processed - before : processed;
          exported.set(key, processed);
          if (delta > 0) this.inc({ task }, delta);
        }
      },
    });
    new Gauge({
      name: 'kstreams_consumer_lag_records',
      help: 'Records between the instance position and the end of each input partition it owns.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        // Reset so partitions that moved to another instance stop being reported here.
        this.reset();
        for (const { topic, partition, lag } of read()?.lag ?? [])
          this.set({ topic, partition: String(partition) }, lag);
      },
    });

    this.#poll = new Histogram({
      name: 'kstreams_poll_duration_seconds',
      help: 'Time a poll of the group consumer took.',
      buckets: ioBuckets,
      registers,
    });
    this.#commit = new Histogram({
      name: 'kstreams_commit_duration_seconds',
      help: 'Time a commit took (flush, produce acknowledgements, offsets, local state).',
      buckets: ioBuckets,
      registers,
    });
    this.#process = new Histogram({
      name: 'kstreams_process_duration_seconds',
      help: 'Time to run one record through the topology (sampled).',
      buckets: fastBuckets,
      registers,
    });
    this.#endToEnd = new Histogram({
      name: 'kstreams_end_to_end_latency_seconds',
      help: 'Time from a record timestamp to its processing (sampled).',
      buckets: endToEndBuckets,
      registers,
    });
    this.#rebalances = new Counter({
      name: 'kstreams_rebalances_total',
      help: 'Partition assignments this instance received.',
      registers,
    });
    this.#storeOperation = new Histogram({
      name: 'kstreams_store_operation_duration_seconds',
      help: 'Time of state store operations, by store and operation.',
      labelNames: ['store', 'operation'],
      buckets: fastBuckets,
      registers,
    });
    this.#cacheLookups = new Counter({
      name: 'kstreams_store_cache_lookups_total',
      help: 'Reads answered by a store cache (hit) or passed to the layer below (miss).',
      labelNames: ['store', 'result'],
      registers,
    });
    const cacheCounts = this.#cacheCounts;
    new Gauge({
      name: 'kstreams_store_cache_hit_ratio',
      help: 'Share of store reads answered by the cache since start.',
      labelNames: ['store'],
      registers,
      collect() {
        for (const [store, { hits, misses }] of cacheCounts) this.set({ store }, hits / (hits + misses));
      },
    });
    this.#restoreRemaining = new Gauge({
      name: 'kstreams_restore_remaining_records',
      help: 'Changelog records still to restore, by store and partition.',
      labelNames: ['store', 'partition'],
      registers,
    });
    this.#restored = new Counter({
      name: 'kstreams_restored_records_total',
      help: 'Changelog records restored into local stores.',
      labelNames: ['store'],
      registers,
    });
    this.#restoreRate = new Gauge({
      name: 'kstreams_restore_rate_records_per_second',
      help: 'Restore rate of the last restoration batch, by store.',
      labelNames: ['store'],
      registers,
    });
  }

  /** Where scrape-time totals and gauges come from; the runtime binds itself once it starts. */
  bindSnapshot(snapshot: () => MetricsSnapshot): void {
    this.#snapshot = snapshot;
  }

  observePoll(seconds: number): void {
    this.#poll.observe(seconds);
  }

  observeCommit(seconds: number): void {
    this.#commit.observe(seconds);
  }

  observeProcess(seconds: number): void {
    this.#process.observe(seconds);
  }

  observeEndToEnd(seconds: number): void {
    if (seconds >= 0) this.#endToEnd.observe(seconds);
  }

  rebalanced(): void {
    this.#rebalances.inc();
  }

  /** StoreMetrics: durations come in nanoseconds from the store layers. */
  recordOperation(storeName: string, operation: string, durationNs: number): void {
    this.#storeOperation.observe({ store: storeName, operation }, durationNs / 1e9);
  }

  recordCacheLookup(storeName: string, hit: boolean): void {
    let counts = this.#cacheCounts.get(storeName);
    if (counts === undefined) {
      counts = { hits: 0, misses: 0 };
      this.#cacheCounts.set(storeName, counts);
    }
    if (hit) counts.hits++;
    else counts.misses++;
    this.#cacheLookups.inc({ store: storeName, result: hit ? 'hit' : 'miss' });
  }

  /** Restoration progress of one store partition: records left, and the batch just written. */
  restoreProgress(storeName: string, partition: number, remaining: number, restored: number, seconds: number): void {
    this.#restoreRemaining.set({ store: storeName, partition: String(partition) }, Math.max(0, remaining));
    if (restored > 0) this.#restored.inc({ store: storeName }, restored);
    if (seconds > 0) this.#restoreRate.set({ store: storeName }, restored / seconds);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #collectTotal(key: keyof MetricsTotals): (this: Counter) => void {
    const exported = this.#exported;
    const read = () => this.#snapshot?.();
    return function collect(this: Counter) {
      const snapshot = read();
      if (snapshot === undefined) return;
      const delta = growth(exported, key, snapshot.totals[key]);
      if (delta > 0) this.inc(delta);
    };
  }
}

/** How much a monotonic total grew since the last scrape (never negative: totals only grow). */
function growth(exported: Map<string, number>, key: string, total: number): number {
  const before = exported.get(key) ?? 0;
  if (total <= before) return 0;
  exported.set(key, total);
  return total - before;
}

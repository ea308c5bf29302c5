/**
 * What the runtime reports when Prometheus scrapes: totals it already keeps and gauges that are cheap to
 * read at scrape time. Pulling them avoids a metrics call per record on the hot path. The shape is
 * structural so this layer depends on nothing above it.
 */
export interface MetricsSnapshot {
  /** The application's lifecycle state (one of the states given to StreamsMetrics). */
  readonly state: string;
  readonly totals: MetricsTotals;
  readonly tasks: TaskGauges;
  /** Consumer lag per input partition the instance owns (end offset minus position). */
  readonly lag: readonly PartitionLag[];
  /** Records each task running here has processed since it was assigned to this instance. */
  readonly taskProcessed?: readonly TaskProcessed[];
}

export interface TaskProcessed {
  /** `<subtopology>_<partition>`: bounded by the input partitions. */
  readonly task: string;
  readonly processed: number;
}

/** Monotonic totals since the instance started, over every task it has run. */
export interface MetricsTotals {
  readonly recordsConsumed: number;
  readonly recordsProcessed: number;
  readonly recordsSkipped: number;
  readonly recordsDeadLettered: number;
  readonly recordsProduced: number;
  /** Output records the broker refused that the production policy dropped. */
  readonly recordsProduceFailed: number;
  readonly recordsDroppedLate: number;
  readonly recordsDroppedExpired: number;
  readonly recordsDroppedNullKey: number;
  readonly punctuations: number;
}

export interface TaskGauges {
  readonly active: number;
  readonly standby: number;
  readonly restoring: number;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

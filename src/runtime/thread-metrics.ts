import type { StoreMetrics } from '../state/store-metrics.ts';

/**
 * What the poll loop reports to the metrics layer (src/metrics' StreamsMetrics fits it structurally).
 * Durations are in seconds. Per-record figures are taken once per poll batch, not per record, so
 * measuring costs nothing on the hot path.
 */
export interface ThreadMetrics extends StoreMetrics {
  observePoll(seconds: number): void;
  observeCommit(seconds: number): void;
  /** Processing time per record, averaged over a batch. */
  observeProcess(seconds: number): void;
  /** From a record's timestamp to its processing, for the last record of each batch. */
  observeEndToEnd(seconds: number): void;
  rebalanced(): void;
  restoreProgress(storeName: string, partition: number, remaining: number, restored: number, seconds: number): void;
}

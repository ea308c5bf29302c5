export type { MetricsSnapshot, MetricsTotals, PartitionLag, TaskGauges, TaskProcessed } from './metrics-snapshot.ts';
export { StreamsMetrics, type StreamsMetricsOptions } from './streams-metrics.ts';

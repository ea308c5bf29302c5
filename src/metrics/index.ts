export type { MetricsSnapshot, MetricsTotals, PartitionLag, TaskGauges } from './metrics-snapshot.ts';
export { StreamsMetrics, type StreamsMetricsOptions } from './streams-metrics.ts';

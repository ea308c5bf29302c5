/** The store operations the metered layer times. */
export type StoreOperation =
  | 'get'
  | 'put'
  | 'putIfAbsent'
  | 'delete'
  | 'range'
  | 'prefixScan'
  | 'flush'
  | 'persist'
  | 'restore';

/**
 * Structural metrics hooks, so state never depends on a metrics library: src/metrics adapts them to its
 * registry. Range and prefix scans are timed until the iterator is created, not while it is read.
 */
export interface StoreMetrics {
  recordOperation(storeName: string, operation: StoreOperation, durationNs: number): void;
  /** One call per read answered by a store's cache (`hit`) or passed to the layer below it. */
  recordCacheLookup?(storeName: string, hit: boolean): void;
}

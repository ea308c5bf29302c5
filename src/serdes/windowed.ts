/**
 * A window's bounds in epoch milliseconds. Time windows are half-open, `[start, end)` with
 * `end = start + size`; session windows are closed, `[start, end]` (first and last record of the session).
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * A record key together with its window (Kafka Streams' Windowed<K>): the key of windowed aggregations
 * and of window store entries. It lives with the serdes so that the windowed serdes, the stores and the
 * DSL share one type.
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: TimeWindow;
}

/**
 * How a windowed aggregation folds one record into a window's aggregate (undefined: the window is new).
 * count, reduce and aggregate are each one fold, so the window operators stay agnostic of them.
 */
export type WindowFold<K, V, VA> = (key: K, value: V, aggregate: VA | undefined) => VA;

/** Record values that windowed aggregations skip, as Kafka Streams does. */
export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { WindowStore } from '../../state/window/window-store.ts';
import type { Change } from '../types.ts';
import type { EmitStrategy } from '../windows/emit-strategy.ts';
import type { SlidingWindows } from '../windows/sliding-windows.ts';
import { EmitFinalProgress, emitProgressStoreName } from './emit-final-progress.ts';
import type { TimestampedAggregate } from './timestamped-aggregate.ts';
import { isMissing, type WindowFold } from './window-fold.ts';

interface FoundWindow<VA> {
  readonly start: number;
  readonly aggregate: TimestampedAggregate<VA>;
}

/**
 * Sliding windows in `storeName` (Kafka Streams' KStreamSlidingWindowAggregate). Each record has a left
 * window `[t - d, t]` and, once a later record falls within d of it, a right window `[t + 1, t + 1 + d]`;
 * every window holding the record is updated. New windows start from a neighbour's aggregate, told apart
 * by the largest record timestamp stored with each aggregate. Records before `d` share the window `[0, d]`.
 * A window closes when its end + grace is before the stream time this node has seen; a record whose
 * windows have all closed is dropped and counted as late.
 */
export function kstreamSlidingWindowAggregate<K, V, VA>(
  storeName: string,
  windows: SlidingWindows,
  emit: EmitStrategy,
  fold: WindowFold<K, V, VA>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const d = windows.timeDifferenceMs;
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<VA>>;
    let store: WindowStore<K, TimestampedAggregate<VA>>;
    let forwardedByStore = false;
    let observedStreamTime = -1;
    const onUpdate = emit.type === 'on-window-update';
    const progress = new EmitFinalProgress(emitProgressStoreName(storeName));

    const windowed = (key: K, start: number): Windowed<K> => ({ key, window: { start, end: start + d } });

    /** Adds the record to the window at `start`, whose aggregate so far is `base` (undefined: empty). */
    const update = (
      key: K,
      value: V,
      timestamp: number,
      start: number,
      base: TimestampedAggregate<VA> | undefined,
      existed: boolean,
      closeTime: number,
    ): void => {
      if (start + d < closeTime) {
        context.recordDropped('late');
        return;
      }
      const newValue = fold(key, value, base?.value);
      const newTimestamp = base === undefined ? timestamp : Math.max(timestamp, base.timestamp);
      store.put(key, { value: newValue, timestamp: newTimestamp }, start);
      if (onUpdate && !forwardedByStore) {
        const oldValue = existed && base !== undefined ? base.value : null;
        context.forward({
          key: windowed(key, start),
          value: { newValue, oldValue },
          timestamp: newTimestamp,
          headers: [],
        });
      }
    };

    /** The new record's right window takes a neighbour's aggregate as it is: it holds exactly those records. */
    const createRightWindow = (key: K, timestamp: number, aggregate: TimestampedAggregate<VA>): void => {
      store.put(key, aggregate, timestamp + 1);
      if (onUpdate && !forwardedByStore) {
        context.forward({
          key: windowed(key, timestamp + 1),
          value: { newValue: aggregate.value, oldValue: null },
          timestamp: aggregate.timestamp,
          headers: [],
        });
      }
    };

    const processRegular = (key: K, value: V, t: number, closeTime: number): void => {
      const starts = new Set<number>();
      let leftNeighbour: TimestampedAggregate<VA> | undefined;
      let rightNeighbour: TimestampedAggregate<VA> | undefined;
      let leftExists = false;
      let rightExists = false;
      let previousTimestamp: number | undefined;
      const found: FoundWindow<VA>[] = [];
      for (const entry of store.fetch(key, Math.max(0, t - 2 * d), t + 1)) {
        found.push({ start: entry.windowStart, aggregate: entry.value });
      }
      for (const { start, aggregate } of found) {
        starts.add(start);
        const end = start + d;
        if (end < t) {
          leftNeighbour = aggregate;
          previousTimestamp = aggregate.timestamp;
        } else if (end === t) {
          leftExists = true;
          if (aggregate.timestamp < t) previousTimestamp = aggregate.timestamp;
          update(key, value, t, start, aggregate, true, closeTime);
        } else if (start <= t) {
          rightNeighbour = aggregate;
          update(key, value, t, start, aggregate, true, closeTime);
        } else {
          rightExists = true;
        }
      }
      if (previousTimestamp !== undefined) {
        const previousRightStart = previousTimestamp + 1;
        if (!starts.has(previousRightStart) && previousRightStart + d >= t) {
          update(key, value, t, previousRightStart, undefined, false, closeTime);
        }
      }
      if (!leftExists) {
        const leftHasRecords = previousTimestamp !== undefined && t - d <= previousTimestamp;
        const base =
          leftHasRecords && leftNeighbour !== undefined ? { value: leftNeighbour.value, timestamp: t } : undefined;
        update(key, value, t, t - d, base, false, closeTime);
      }
      if (!rightExists && rightNeighbour !== undefined && rightNeighbour.timestamp > t) {
        createRightWindow(key, t, rightNeighbour);
      }
    };

    const processEarly = (key: K, value: V, t: number, closeTime: number): void => {
      const starts = new Set<number>();
      let combined: TimestampedAggregate<VA> | undefined;
      let rightNeighbour: TimestampedAggregate<VA> | undefined;
      let rightExists = false;
      let previousTimestamp: number | undefined;
      const found: FoundWindow<VA>[] = [];
      for (const entry of store.fetch(key, 0, t + 1)) found.push({ start: entry.windowStart, aggregate: entry.value });
      for (const { start, aggregate } of found) {
        starts.add(start);
        if (start === 0) {
          combined = aggregate;
          if (aggregate.timestamp < t) previousTimestamp = aggregate.timestamp;
        } else if (start <= t) {
          rightNeighbour = aggregate;
          update(key, value, t, start, aggregate, true, closeTime);
        } else {
          rightExists = true;
        }
      }
      // Without a right neighbour, the combined window holds only records after t when its newest is after t.
      if (rightNeighbour === undefined && combined !== undefined && combined.timestamp > t) rightNeighbour = combined;
      if (!rightExists && rightNeighbour !== undefined && rightNeighbour.timestamp > t) {
        createRightWindow(key, t, rightNeighbour);
      }
      if (previousTimestamp !== undefined && !starts.has(previousTimestamp + 1)) {
        update(key, value, t, previousTimestamp + 1, undefined, false, closeTime);
      }
      update(key, value, t, 0, combined, combined !== undefined, closeTime);
    };

    const emitClosedWindows = (closeTime: number): void => {
      // A window closes when its end is before the close time: start <= closeTime - d - 1.
      const lastClosedStart = closeTime - d - 1;
      if (lastClosedStart <= progress.upTo) return;
      const from = Math.max(0, progress.upTo + 1);
      progress.upTo = lastClosedStart;
      for (const entry of store.fetchAll(from, lastClosedStart)) {
        context.forward({
          key: { key: entry.key, window: entry.window },
          value: { newValue: entry.value.value, oldValue: null },
          timestamp: entry.value.timestamp,
          headers: [],
        });
      }
    };

    return {
      init: (c) => {
        context = c;
        if (!onUpdate) progress.init(c);
        store = c.getStateStore<WindowStore<K, TimestampedAggregate<VA>>>(storeName);
        if (onUpdate) {
          forwardedByStore = store.setFlushListener((key, newValue, oldValue) => {
            if (newValue === null) return;
            context.forward({
              key,
              value: { newValue: newValue.value, oldValue: oldValue?.value ?? null },
              timestamp: newValue.timestamp,
              headers: [],
            });
          });
        }
      },
      process: (record) => {
        if (isMissing(record.key)) {
          context.recordDropped('null-key');
          return;
        }
        if (isMissing(record.value)) return;
        const t = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, t);
        const closeTime = observedStreamTime - windows.graceMs;
        if (t + 1 + d <= closeTime) {
          context.recordDropped('late');
        } else if (t < d) {
          processEarly(record.key, record.value, t, closeTime);
        } else {
          processRegular(record.key, record.value, t, closeTime);
        }
        if (!onUpdate) emitClosedWindows(closeTime);
      },
    };
  };
}

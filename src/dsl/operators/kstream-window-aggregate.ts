import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { WindowStore } from '../../state/window/window-store.ts';
import type { Change } from '../types.ts';
import type { EmitStrategy } from '../windows/emit-strategy.ts';
import type { TimeWindows } from '../windows/time-windows.ts';
import { EmitFinalProgress, emitProgressStoreName } from './emit-final-progress.ts';
import { isMissing, type WindowFold } from './window-fold.ts';

/**
 * Folds each record into every time window containing it (one for tumbling, several for hopping windows)
 * in `storeName`. A window closes when its end + grace is at or before the stream time this node has
 * seen; a record for a closed window is dropped for that window and counted as late. On window update
 * each change is forwarded (at commit, deduplicated, when the store caches); on window close each window
 * is forwarded once, after it closes. Null keys are dropped and counted; null values are skipped.
 */
export function kstreamWindowAggregate<K, V, VA>(
  storeName: string,
  windows: TimeWindows,
  emit: EmitStrategy,
  fold: WindowFold<K, V, VA>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<VA>>;
    let store: WindowStore<K, VA>;
    let forwardedByStore = false;
    let observedStreamTime = -1;
    // The close time up to which final results were forwarded (on window close only).
    const onUpdate = emit.type === 'on-window-update';
    const progress = new EmitFinalProgress(emitProgressStoreName(storeName));

    const emitClosedWindows = (closeTime: number): void => {
      if (closeTime <= progress.upTo) return;
      const from = Math.max(0, progress.upTo - windows.sizeMs + 1);
      const to = closeTime - windows.sizeMs;
      progress.upTo = closeTime;
      if (to < from) return;
      for (const entry of store.fetchAll(from, to)) {
        context.forward({
          key: { key: entry.key, window: entry.window },
          value: { newValue: entry.value, oldValue: null },
          timestamp: entry.window.end,
          headers: [],
        });
      }
    };

    return {
      init: (c) => {
        context = c;
        if (!onUpdate) progress.init(c);
        store = c.getStateStore<WindowStore<K, VA>>(storeName);
        if (onUpdate) {
          forwardedByStore = store.setFlushListener((windowed, newValue, oldValue, timestamp) => {
            context.forward({ key: windowed, value: { newValue, oldValue }, timestamp, headers: [] });
          });
        }
      },
      process: (record) => {
        if (isMissing(record.key)) {
          context.recordDropped('null-key');
          return;
        }
        if (isMissing(record.value)) return;
        const timestamp = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        const closeTime = observedStreamTime - windows.graceMs;
        for (const start of windows.windowStartsFor(timestamp)) {
          const end = start + windows.sizeMs;
          if (end <= closeTime) {
            context.recordDropped('late');
            continue;
          }
          const oldValue = store.fetch(record.key, start);
          const newValue = fold(record.key, record.value, oldValue);
          store.put(record.key, newValue, start);
          if (onUpdate && !forwardedByStore) {
            context.forward({
              key: { key: record.key, window: { start, end } },
              value: { newValue, oldValue: oldValue ?? null },
              timestamp,
              headers: record.headers,
            });
          }
        }
        if (!onUpdate) emitClosedWindows(closeTime);
      },
    };
  };
}

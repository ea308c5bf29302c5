import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { Session, SessionStore } from '../../state/session/session-store.ts';
import type { Change, Initializer, Merger } from '../types.ts';
import type { EmitStrategy } from '../windows/emit-strategy.ts';
import type { SessionWindows } from '../windows/session-windows.ts';
import { EmitFinalProgress, emitProgressStoreName } from './emit-final-progress.ts';
import { isMissing, type WindowFold } from './window-fold.ts';

function windowedOf<K>(session: Session<K>): Windowed<K> {
  return { key: session.key, window: { start: session.start, end: session.end } };
}

/**
 * Session windows in `storeName`: a record joins every session of its key within the inactivity gap,
 * merging them (their aggregates combined by `merger`) into one session spanning them all. The merged-away
 * sessions are removed and forwarded as deletions (newValue null), the merged one as an update. A session
 * closes when its end + gap + grace is before the stream time this node has seen; records that would only
 * touch closed sessions are dropped and counted as late. Null keys are dropped and counted. Without an
 * `initializer` (reduce), merging starts from the first session's aggregate.
 */
export function kstreamSessionWindowAggregate<K, V, VA>(
  storeName: string,
  windows: SessionWindows,
  emit: EmitStrategy,
  initializer: Initializer<VA> | undefined,
  fold: WindowFold<K, V, VA>,
  merger: Merger<K, VA>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<VA>>;
    let store: SessionStore<K, VA>;
    let forwardedByStore = false;
    let observedStreamTime = -1;
    // Sessions ending at or before this were forwarded as final results (on window close only).
    const onUpdate = emit.type === 'on-window-update';
    const progress = new EmitFinalProgress(emitProgressStoreName(storeName));

    // Session results carry the session's end as their timestamp, as in Kafka Streams.
    const forward = (session: Session<K>, change: Change<VA>): void => {
      context.forward({ key: windowedOf(session), value: change, timestamp: session.end, headers: [] });
    };

    const emitClosedSessions = (closeTime: number): void => {
      // Sessions still accept records while end >= closeTime.
      const lastClosedEnd = closeTime - 1;
      if (lastClosedEnd <= progress.upTo) return;
      const from = progress.upTo + 1;
      progress.upTo = lastClosedEnd;
      for (const entry of store.findAllSessions(Math.max(0, from), lastClosedEnd)) {
        forward(entry.session, { newValue: entry.value, oldValue: null });
      }
    };

    return {
      init: (c) => {
        context = c;
        if (!onUpdate) progress.init(c);
        store = c.getStateStore<SessionStore<K, VA>>(storeName);
        if (onUpdate) {
          forwardedByStore = store.setFlushListener((session, newValue, oldValue) =>
            forward(session, { newValue, oldValue }),
          );
        }
      },
      process: (record) => {
        if (isMissing(record.key)) {
          context.recordDropped('null-key');
          return;
        }
        if (isMissing(record.value)) return;
        const key = record.key;
        const timestamp = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        const closeTime = observedStreamTime - windows.inactivityGapMs - windows.graceMs;

        let aggregate: VA | undefined;
        let start = timestamp;
        let end = timestamp;
        const merged: { session: Session<K>; value: VA }[] = [];
        const gap = windows.inactivityGapMs;
        for (const entry of store.findSessions(key, Math.max(0, timestamp - gap), timestamp + gap)) {
          const base = aggregate ?? initializer?.();
          aggregate = base === undefined ? entry.value : merger(key, base, entry.value);
          start = Math.min(start, entry.session.start);
          end = Math.max(end, entry.session.end);
          merged.push(entry);
        }
        if (end < closeTime) {
          context.recordDropped('late');
          return;
        }
        const session: Session<K> = { key, start, end };
        for (const old of merged) {
          if (old.session.start === start && old.session.end === end) continue;
          store.remove(old.session);
          if (onUpdate && !forwardedByStore) forward(old.session, { newValue: null, oldValue: old.value });
        }
        const unchanged = merged.find((old) => old.session.start === start && old.session.end === end);
        const newValue = fold(key, record.value, aggregate);
        store.put(session, newValue);
        if (onUpdate && !forwardedByStore) {
          forward(session, { newValue, oldValue: unchanged?.value ?? null });
        }
        if (!onUpdate) emitClosedSessions(closeTime);
      },
    };
  };
}

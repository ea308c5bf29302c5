import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { WindowStore } from '../../state/window/window-store.ts';
import type { JoinTimeTracker, JoinTimeTrackers } from './kstream-join-time-tracker.ts';

export interface JoinWindowSpec {
  /** This side's buffer: a window store that retains duplicates. */
  readonly storeName: string;
  readonly trackers: JoinTimeTrackers;
  /** How long after its timestamp a record of this side still joins, plus the grace period. */
  readonly closesAfterMs: number;
}

const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined;

/**
 * One side's buffer of a KStream-KStream join (Kafka Streams' KStreamJoinWindow): keeps each record in the
 * side's window store, where the other side's join processor finds it, then forwards it to this side's
 * join processor. Records that cannot join (null key or value) or that arrive after their window closed
 * are not kept; the join processor counts them as dropped.
 */
export function kstreamJoinWindow<K, V>(spec: JoinWindowSpec): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    let store: WindowStore<K, V>;
    let tracker: JoinTimeTracker;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<WindowStore<K, V>>(spec.storeName);
        tracker = spec.trackers.acquire(c.taskId);
      },
      process: (record) => {
        tracker.advance(record.timestamp);
        const joinable = !isNullish(record.key) && !isNullish(record.value);
        const late = record.timestamp + spec.closesAfterMs < tracker.streamTime;
        if (joinable && !late) store.put(record.key, record.value, record.timestamp);
        context.forward(record);
      },
      close: () => spec.trackers.release(context.taskId),
    };
  };
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { StreamRecord } from '../../processor/stream-record.ts';
import type { WindowStore } from '../../state/window/window-store.ts';
import type { JoinWindows } from '../join-windows.ts';
import type { JoinSide, OuterJoinKey, OuterJoinStore } from './kstream-join-outer-store.ts';
import type { JoinTimeTracker, JoinTimeTrackers } from './kstream-join-time-tracker.ts';

export interface StreamJoinSideSpec<VL, VR, VOut> {
  /** Which stream this processor reads: `left` is the stream `join` was called on. */
  readonly side: JoinSide;
  /** The other side's buffer, probed for partners. */
  readonly otherStoreName: string;
  /** The shared store of non-joined records (left and outer joins only). */
  readonly outerStoreName: string | undefined;
  /** Whether this side's records without a partner are emitted joined with null. */
  readonly outer: boolean;
  /** Which sides' records may wait in the outer-join store (left in a left join, both in an outer join). */
  readonly waitingSides: Readonly<Record<JoinSide, boolean>>;
  readonly windows: JoinWindows;
  readonly trackers: JoinTimeTrackers;
  /** The user's joiner, always called as (left value, right value). */
  readonly joiner: (left: VL | null, right: VR | null) => VOut;
}

const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined;

/**
 * One side of a KStream-KStream join (Kafka Streams' KStreamKStreamJoin, 3.x semantics). A record joins
 * every record of the other side with the same key within the join window; with no partner, in a
 * left/outer join, it waits in the shared outer-join store and is emitted joined with null only once its
 * window has closed (window end + grace passed by stream time), so a late partner never follows a null
 * result. Records arriving after their own window closed are dropped as `late` (Kafka Streams keeps them
 * for lookups; we drop them, as windowed aggregations do, so output never depends on retention timing).
 */
export function kstreamKStreamJoin<K, VL, VR, VOut>(
  spec: StreamJoinSideSpec<VL, VR, VOut>,
): ProcessorSupplier<K, unknown, K, VOut> {
  const { windows } = spec;
  const isLeft = spec.side === 'left';
  // This side's record at t joins other-side records in [t - before, t + after].
  const beforeMs = isLeft ? windows.beforeMs : windows.afterMs;
  const afterMs = isLeft ? windows.afterMs : windows.beforeMs;
  /** How long after its timestamp a waiting record of `side` can still find a partner. */
  const openFor = (side: JoinSide) => (side === 'left' ? windows.afterMs : windows.beforeMs) + windows.graceMs;
  const join = (mine: unknown, theirs: unknown): VOut =>
    isLeft ? spec.joiner(mine as VL | null, theirs as VR | null) : spec.joiner(theirs as VL | null, mine as VR | null);

  return () => {
    let context: ProcessorContext<K, VOut>;
    let otherStore: WindowStore<K, unknown>;
    let outerStore: OuterJoinStore<K> | undefined;
    let tracker: JoinTimeTracker;

    const emitClosed = (trigger: StreamRecord<K, unknown>): void => {
      if (outerStore === undefined) return;
      const streamTime = tracker.streamTime;
      if (tracker.minTime + Math.min(openFor('left'), openFor('right')) >= streamTime) return;
      const emitted: Array<OuterJoinKey<K>> = [];
      // A side that never waits counts as open: the scan can stop at the first open record of the other.
      const open = { left: !spec.waitingSides.left, right: !spec.waitingSides.right };
      let minTime = Number.POSITIVE_INFINITY;
      for (const { key, value } of outerStore.all()) {
        if (key.timestamp + openFor(key.side) >= streamTime) {
          // Keys run in time order: once both sides meet an open window, nothing later has closed.
          open[key.side] = true;
          minTime = Math.min(minTime, key.timestamp);
          if (open.left && open.right) break;
          continue;
        }
        for (const waiting of value.values) {
          const joined = key.side === 'left' ? spec.joiner(waiting as VL, null) : spec.joiner(null, waiting as VR);
          context.forward({ ...trigger, key: key.key, value: joined, timestamp: key.timestamp });
        }
        emitted.push(key);
      }
      for (const key of emitted) outerStore.delete(key);
      tracker.minTime = minTime;
    };

    return {
      init: (c) => {
        context = c;
        otherStore = c.getStateStore<WindowStore<K, unknown>>(spec.otherStoreName);
        if (spec.outerStoreName !== undefined) outerStore = c.getStateStore<OuterJoinStore<K>>(spec.outerStoreName);
        tracker = spec.trackers.acquire(c.taskId);
      },
      process: (record) => {
        const timestamp = record.timestamp;
        tracker.advance(timestamp);
        if (isNullish(record.key)) {
          // Kafka Streams 3.7+ (KIP-962): an outer side emits a null-key record at once, joined with null.
          if (spec.outer && !isNullish(record.value)) context.forward({ ...record, value: join(record.value, null) });
          else context.recordDropped('null-key');
          return;
        }
        // A null value is no event to join (and null stands for "no partner" in the joiner): one drop sensor, as in Kafka Streams.
        if (isNullish(record.value)) {
          context.recordDropped('null-key');
          return;
        }
        if (timestamp + afterMs + windows.graceMs < tracker.streamTime) {
          context.recordDropped('late');
          return;
        }
        if (timestamp === tracker.streamTime) emitClosed(record);

        let matched = false;
        const from = Math.max(0, timestamp - beforeMs);
        const to = Math.max(0, timestamp + afterMs);
        if (from <= to) {
          for (const other of otherStore.fetch(record.key, from, to)) {
            matched = true;
            // The partner waited in the outer store for a match: it has one now.
            outerStore?.delete({ timestamp: other.windowStart, side: isLeft ? 'right' : 'left', key: record.key });
            context.forward({
              ...record,
              value: join(record.value, other.value),
              timestamp: Math.max(timestamp, other.windowStart),
            });
          }
        }
        if (matched || !spec.outer || outerStore === undefined) return;
        const waitingKey: OuterJoinKey<K> = { timestamp, side: spec.side, key: record.key };
        const waiting = outerStore.get(waitingKey);
        outerStore.put(waitingKey, { side: spec.side, values: [...(waiting?.values ?? []), record.value] });
        tracker.noteWaiting(timestamp);
      },
      close: () => spec.trackers.release(context.taskId),
    };
  };
}

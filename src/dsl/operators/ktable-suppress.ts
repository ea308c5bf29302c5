import { KStreamsError } from '../../errors.ts';
import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change } from '../types.ts';
import type { BufferedChange } from './buffered-change.ts';

interface Pending<K> {
  readonly bufferTime: number;
  readonly key: Windowed<K>;
}

/** Inserts keeping `pending` sorted by buffer time (stable: equal times keep arrival order). */
function insertSorted<K>(pending: Pending<K>[], entry: Pending<K>): void {
  let low = 0;
  let high = pending.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((pending[mid] as Pending<K>).bufferTime <= entry.bufferTime) low = mid + 1;
    else high = mid;
  }
  pending.splice(low, 0, entry);
}

/**
 * Suppress until windows close (Kafka Streams' KTableSuppressProcessor with untilWindowCloses): keeps the
 * latest update of each window in the buffer store `storeName` and forwards it once, when the stream time
 * this node has seen reaches the window's end + `closeAfterMs`. Deletions (a session merged away) are
 * dropped when they come due. The store is the buffer's durable copy: the emit order is rebuilt from it
 * at the first record, after a restore.
 */
export function ktableSuppress<K, V>(
  storeName: string,
  closeAfterMs: number,
  maxRecords: number,
): ProcessorSupplier<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<V>>;
    let store: KeyValueStore<Windowed<K>, BufferedChange<V>>;
    let observedStreamTime = -1;
    const pending: Pending<K>[] = [];
    let loaded = false;

    const emitClosed = (): void => {
      const closeTime = observedStreamTime - closeAfterMs;
      while (pending.length > 0 && (pending[0] as Pending<K>).bufferTime <= closeTime) {
        const { key } = pending.shift() as Pending<K>;
        // Entries repeat when a window was updated again; the first one due emits it.
        const buffered = store.get(key);
        if (buffered === undefined) continue;
        store.delete(key);
        if (buffered.change.newValue === null) continue;
        context.forward({
          key,
          value: { newValue: buffered.change.newValue, oldValue: null },
          timestamp: buffered.timestamp,
          headers: [],
        });
      }
    };

    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<Windowed<K>, BufferedChange<V>>>(storeName);
      },
      process: (record) => {
        // Loaded at the first record, not in init: the task restores its stores after initializing nodes.
        if (!loaded) {
          for (const { key, value } of store.all()) insertSorted(pending, { bufferTime: value.bufferTime, key });
          loaded = true;
        }
        observedStreamTime = Math.max(observedStreamTime, record.timestamp);
        const key = record.key;
        const bufferTime = key.window.end;
        const previous = store.get(key);
        if (previous === undefined && pending.length >= maxRecords) {
          throw new KStreamsError(
            'PROCESSING_FAILED',
            `The suppression buffer "${storeName}" is full (${maxRecords} windows waiting to close).`,
            { hint: 'Raise maxRecords in Suppressed.untilWindowCloses, or shorten the windows or grace period.' },
          );
        }
        store.put(key, {
          bufferTime,
          timestamp: record.timestamp,
          change: { newValue: record.value.newValue, oldValue: previous?.change.oldValue ?? record.value.oldValue },
        });
        if (previous === undefined) insertSorted(pending, { bufferTime, key });
        emitClosed();
      },
    };
  };
}

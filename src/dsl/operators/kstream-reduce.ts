import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change, Reducer } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * Combines each record's value with its key's current value in `storeName` (the first value of a key is
 * stored as it is) and forwards the update as a Change (at commit when the store caches). Null keys and
 * values are dropped.
 */
export function kstreamReduce<K, V>(storeName: string, reducer: Reducer<V>): ProcessorSupplier<K, V, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V>;
    let forwardedByStore = false;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<K, V>>(storeName);
        forwardedByStore = forwardOnFlush(store, context);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          return;
        }
        const oldValue = store.get(record.key);
        const newValue = oldValue === undefined ? record.value : reducer(oldValue, record.value);
        store.put(record.key, newValue);
        if (!forwardedByStore) context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

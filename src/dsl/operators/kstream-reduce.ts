import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change, Reducer } from '../types.ts';

/**
 * Combines each record's value with its key's current value in `storeName` (the first value of a key is
 * stored as it is) and forwards the update as a Change. Null keys and values are dropped.
 */
export function kstreamReduce<K, V>(storeName: string, reducer: Reducer<V>): ProcessorSupplier<K, V, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V>;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<K, V>>(storeName);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          return;
        }
        const oldValue = store.get(record.key);
        const newValue = oldValue === undefined ? record.value : reducer(oldValue, record.value);
        store.put(record.key, newValue);
        context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

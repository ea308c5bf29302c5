import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change } from '../types.ts';

/**
 * Turns a topic into a table: forwards each record as a Change and, with `storeName`, writes it there (a
 * null value deletes the key) so the Change carries the previous value; without a store `oldValue` is
 * null. Records with a null key cannot be table rows and are dropped.
 */
export function ktableSource<K, V>(storeName: string | undefined): ProcessorSupplier<K, V | null, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V> | undefined;
    return {
      init: (c) => {
        context = c;
        if (storeName !== undefined) store = c.getStateStore<KeyValueStore<K, V>>(storeName);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined) return;
        const newValue = record.value ?? null;
        let oldValue: V | undefined;
        if (store !== undefined) {
          oldValue = newValue === null ? store.delete(record.key) : store.get(record.key);
          if (newValue !== null) store.put(record.key, newValue);
        }
        context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

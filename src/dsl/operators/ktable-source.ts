import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * Turns a topic into a table: forwards each record as a Change and, with `storeName`, writes it there (a
 * null value deletes the key) so the Change carries the previous value; without a store `oldValue` is
 * null. A caching store forwards the updates at commit, deduplicated per key. Records with a null key
 * cannot be table rows and are dropped. `storeName` may be a function, read when each task starts: a join
 * can materialize the table after the node was added.
 */
export function ktableSource<K, V>(
  storeName: string | undefined | (() => string | undefined),
): ProcessorSupplier<K, V | null, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V> | undefined;
    let forwardedByStore = false;
    return {
      init: (c) => {
        context = c;
        const name = typeof storeName === 'function' ? storeName() : storeName;
        if (name !== undefined) {
          store = c.getStateStore<KeyValueStore<K, V>>(name);
          forwardedByStore = forwardOnFlush(store, context);
        }
      },
      process: (record) => {
        if (record.key === null || record.key === undefined) return;
        const newValue = record.value ?? null;
        let oldValue: V | undefined;
        if (store !== undefined) {
          oldValue = newValue === null ? store.delete(record.key) : store.get(record.key);
          if (newValue !== null) store.put(record.key, newValue);
        }
        if (!forwardedByStore) context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

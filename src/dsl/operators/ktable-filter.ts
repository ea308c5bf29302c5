import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change, Predicate } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * Keeps the table rows for which `predicate` holds (with `negate`, does not hold). A row that fails it
 * becomes a tombstone, as in Kafka Streams, so downstream tables delete it. With `storeName` the result
 * is materialized there (a caching store forwards at commit, with its own old values).
 */
export function ktableFilter<K, V>(
  predicate: Predicate<K, V>,
  negate: boolean,
  storeName: string | undefined,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V> | undefined;
    let forwardedByStore = false;
    const keep = (key: K, value: V | null): V | null =>
      value !== null && predicate(key, value) !== negate ? value : null;
    return {
      init: (c) => {
        context = c;
        if (storeName !== undefined) {
          store = c.getStateStore<KeyValueStore<K, V>>(storeName);
          forwardedByStore = forwardOnFlush(store, context);
        }
      },
      process: (record) => {
        const newValue = keep(record.key, record.value.newValue);
        const oldValue = keep(record.key, record.value.oldValue);
        if (store !== undefined) {
          if (newValue === null) store.delete(record.key);
          else store.put(record.key, newValue);
        }
        if (!forwardedByStore) context.forward({ ...record, value: { newValue, oldValue } });
      },
    };
  };
}

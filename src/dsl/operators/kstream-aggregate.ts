import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Aggregator, Change, Initializer } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * Folds each record into its key's aggregate in `storeName` and forwards the update as a Change: at
 * commit, deduplicated per key, when the store caches; else at once. Records with a null key or value are
 * dropped, as in Kafka Streams. The update carries the input's timestamp.
 */
export function kstreamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => {
    let context: ProcessorContext<K, Change<VA>>;
    let store: KeyValueStore<K, VA>;
    let forwardedByStore = false;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<K, VA>>(storeName);
        forwardedByStore = forwardOnFlush(store, context);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          return;
        }
        const oldValue = store.get(record.key);
        const newValue = aggregator(record.key, record.value, oldValue === undefined ? initializer() : oldValue);
        store.put(record.key, newValue);
        if (!forwardedByStore) context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

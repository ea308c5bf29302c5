import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Aggregator, Change, Initializer } from '../types.ts';

/**
 * Folds each record into its key's aggregate in `storeName` and forwards the update as a Change. Records
 * with a null key or value are dropped, as in Kafka Streams. The update carries the input's timestamp.
 */
export function kstreamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => {
    let context: ProcessorContext<K, Change<VA>>;
    let store: KeyValueStore<K, VA>;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<K, VA>>(storeName);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          return;
        }
        const oldValue = store.get(record.key);
        const newValue = aggregator(record.key, record.value, oldValue === undefined ? initializer() : oldValue);
        store.put(record.key, newValue);
        context.forward({ ...record, value: { newValue, oldValue: oldValue ?? null } });
      },
    };
  };
}

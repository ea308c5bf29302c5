import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change, ValueMapper } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * Maps both sides of each Change with `mapper(value, key)`; a tombstone stays a tombstone. With
 * `storeName` the mapped table is materialized there (a caching store forwards at commit, with its own old values).
 */
export function ktableMapValues<K, V, VR>(
  mapper: ValueMapper<V, K, VR>,
  storeName: string | undefined,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let store: KeyValueStore<K, VR> | undefined;
    let forwardedByStore = false;
    const map = (key: K, value: V | null): VR | null => (value === null ? null : mapper(value, key));
    return {
      init: (c) => {
        context = c;
        if (storeName !== undefined) {
          store = c.getStateStore<KeyValueStore<K, VR>>(storeName);
          forwardedByStore = forwardOnFlush(store, context);
        }
      },
      process: (record) => {
        const newValue = map(record.key, record.value.newValue);
        const oldValue = map(record.key, record.value.oldValue);
        if (store !== undefined) {
          if (newValue === null) store.delete(record.key);
          else store.put(record.key, newValue);
        }
        if (!forwardedByStore) context.forward({ ...record, value: { newValue, oldValue } });
      },
    };
  };
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change } from '../types.ts';
import { forwardOnFlush } from './forward-on-flush.ts';

/**
 * The node both sides of a table-table join feed (Kafka Streams' KTableKTableJoinMerger): forwards their
 * results as one table and, with `storeName`, materializes it (a caching store forwards at commit, with
 * its own old values).
 */
export function ktableKTableJoinMerger<K, VR>(
  storeName: string | undefined,
): ProcessorSupplier<K, Change<VR>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let store: KeyValueStore<K, VR> | undefined;
    let forwardedByStore = false;
    return {
      init: (c) => {
        context = c;
        if (storeName !== undefined) {
          store = c.getStateStore<KeyValueStore<K, VR>>(storeName);
          forwardedByStore = forwardOnFlush(store, context);
        }
      },
      process: (record) => {
        if (store !== undefined) {
          if (record.value.newValue === null) store.delete(record.key);
          else store.put(record.key, record.value.newValue);
        }
        if (!forwardedByStore) context.forward(record);
      },
    };
  };
}

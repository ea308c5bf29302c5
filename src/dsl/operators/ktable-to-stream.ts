import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Change } from '../types.ts';

/** Turns table updates into stream records carrying the new value (`null` for a deletion: a tombstone). */
export function ktableToStream<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => {
    let context: ProcessorContext<K, V | null>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => context.forward({ ...record, value: record.value.newValue }),
    };
  };
}

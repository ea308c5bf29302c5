import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Predicate } from '../types.ts';

/** Forwards the records for which `predicate` holds (with `negate`, those for which it does not). */
export function kstreamFilter<K, V>(predicate: Predicate<K, V>, negate = false): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        if (predicate(record.key, record.value) !== negate) context.forward(record);
      },
    };
  };
}

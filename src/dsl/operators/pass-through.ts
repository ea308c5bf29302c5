import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';

/** Forwards every record unchanged: the node behind `merge` and each branch of `split`. */
export function passThrough<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => context.forward(record),
    };
  };
}

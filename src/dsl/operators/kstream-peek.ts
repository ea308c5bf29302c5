import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { ForeachAction } from '../types.ts';

/** Runs `action` on each record for its side effect, then forwards the record unchanged. */
export function kstreamPeek<K, V>(action: ForeachAction<K, V>): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        action(record.key, record.value);
        context.forward(record);
      },
    };
  };
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ForeachAction } from '../types.ts';

/** Runs `action` on each record; a terminal node that forwards nothing. */
export function kstreamForeach<K, V>(action: ForeachAction<K, V>): ProcessorSupplier<K, V> {
  return () => ({
    process: (record) => action(record.key, record.value),
  });
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { ValueMapper } from '../types.ts';

/** Replaces the value with `mapper(value, key)`; the key is unchanged. */
export function kstreamMapValues<K, V, VR>(mapper: ValueMapper<V, K, VR>): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        context.forward({ ...record, value: mapper(record.value, record.key) });
      },
    };
  };
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { ValueMapper } from '../types.ts';
import { badResult, isIterable } from './operator-errors.ts';

/** Forwards one record per value the mapper yields, with the input's key and timestamp. */
export function kstreamFlatMapValues<K, V, VR>(
  operator: string,
  mapper: ValueMapper<V, K, Iterable<VR>>,
): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        const values: unknown = mapper(record.value, record.key);
        if (!isIterable(values)) {
          throw badResult(
            operator,
            `the mapper returned ${String(values)} instead of an iterable.`,
            'Return an array of values (empty to drop the record).',
          );
        }
        for (const value of values as Iterable<VR>) context.forward({ ...record, value });
      },
    };
  };
}

import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValue, KeyValueMapper } from '../types.ts';
import { badResult, isKeyValue } from './operator-errors.ts';

/** Replaces key and value with the mapper's `{ key, value }` (also serves `selectKey`). */
export function kstreamMap<K, V, KR, VR>(
  operator: string,
  mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>,
): ProcessorSupplier<K, V, KR, VR> {
  return () => {
    let context: ProcessorContext<KR, VR>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        const pair: unknown = mapper(record.key, record.value);
        if (!isKeyValue(pair)) {
          throw badResult(
            operator,
            `the mapper returned ${String(pair)} instead of a { key, value } pair.`,
            'Return { key, value } for every record; filter records out before map() instead of returning nothing.',
          );
        }
        context.forward({ ...record, key: pair.key as KR, value: pair.value as VR });
      },
    };
  };
}

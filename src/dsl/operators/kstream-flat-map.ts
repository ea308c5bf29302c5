import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValue, KeyValueMapper } from '../types.ts';
import { badResult, isIterable, isKeyValue } from './operator-errors.ts';

/** Forwards one record per `{ key, value }` the mapper yields, in order, each with the input's timestamp. */
export function kstreamFlatMap<K, V, KR, VR>(
  operator: string,
  mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>,
): ProcessorSupplier<K, V, KR, VR> {
  return () => {
    let context: ProcessorContext<KR, VR>;
    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        const pairs: unknown = mapper(record.key, record.value);
        if (!isIterable(pairs)) {
          throw badResult(
            operator,
            `the mapper returned ${String(pairs)} instead of an iterable.`,
            'Return an array (empty to drop the record) of { key, value } pairs.',
          );
        }
        for (const pair of pairs) {
          if (!isKeyValue(pair)) {
            throw badResult(
              operator,
              `the mapper yielded ${String(pair)} instead of a { key, value } pair.`,
              'Yield only { key, value } pairs.',
            );
          }
          context.forward({ ...record, key: pair.key as KR, value: pair.value as VR });
        }
      },
    };
  };
}

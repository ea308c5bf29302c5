import type { ProcessorSupplier } from '../../../processor/processor.ts';
import type { ProcessorContext } from '../../../processor/processor-context.ts';
import type { Serializer } from '../../../serdes/serde.ts';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../../internals/ktable-value-getter.ts';
import type { ValueJoiner } from '../../types.ts';
import type { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import { sameHash, valueHash } from './value-hash.ts';

export interface ResponseJoinSpec<K, V, VO, VR> {
  readonly leftTable: KTableValueGetterSupplier<K, V>;
  readonly valueSerializer: Serializer<V>;
  readonly joiner: ValueJoiner<V, VO | null, VR>;
  readonly leftJoin: boolean;
  /** The topic name the subscription side hashed values under. */
  readonly topic: string;
}

/**
 * Back on the left side (Kafka Streams' ResponseJoinProcessorSupplier): a response is applied only if
 * the left row still has the value whose hash it carries (older responses are stale: the row changed
 * since), then joins the row with the foreign value, or forwards a tombstone when there is no foreign
 * value (inner join) or no left row. Forwards plain values: the result node makes them a table.
 */
export function responseJoin<K, V, VO, VR>(
  spec: ResponseJoinSpec<K, V, VO, VR>,
): ProcessorSupplier<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  return () => {
    let context: ProcessorContext<K, VR | null>;
    let leftValue: KTableValueGetter<K, V>;
    return {
      init: (c) => {
        context = c;
        leftValue = spec.leftTable.bind(c);
      },
      process: (record) => {
        const current = leftValue(record.key);
        if (!sameHash(record.value.hash, valueHash(spec.valueSerializer, spec.topic, current))) return;
        const foreign = record.value.foreignValue;
        const result = current === null || (foreign === null && !spec.leftJoin) ? null : spec.joiner(current, foreign);
        context.forward({ ...record, value: result });
      },
    };
  };
}

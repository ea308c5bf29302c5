import type { ProcessorSupplier } from '../../../processor/processor.ts';
import type { ProcessorContext } from '../../../processor/processor-context.ts';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../../internals/ktable-value-getter.ts';
import type { SubscriptionKey } from './subscription-receive.ts';
import type { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import type { SubscriptionWrapper } from './subscription-wrapper.ts';

/**
 * Answers a subscription with the foreign row's current value (Kafka Streams'
 * SubscriptionJoinProcessorSupplier), keyed by the left key and sent back to the left row's partition:
 * always for an unsubscribe that asks for it (with null) and for a changed foreign key (null when the row
 * is missing), only with a match for a first subscription, never for a quiet unsubscribe.
 */
export function subscriptionJoin<K, KO, VO>(
  foreignTable: KTableValueGetterSupplier<KO, VO>,
): ProcessorSupplier<SubscriptionKey<KO, K>, SubscriptionWrapper<K>, K, SubscriptionResponseWrapper<VO>> {
  return () => {
    let context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
    let foreignValue: KTableValueGetter<KO, VO>;
    return {
      init: (c) => {
        context = c;
        foreignValue = foreignTable.bind(c);
      },
      process: (record) => {
        const subscription = record.value;
        const found = record.key.foreignKey === null ? null : foreignValue(record.key.foreignKey);
        const respond = (value: VO | null) =>
          context.forward({
            ...record,
            key: record.key.primaryKey,
            value: { hash: subscription.hash, foreignValue: value, primaryPartition: subscription.primaryPartition },
          });
        switch (subscription.instruction) {
          case 'delete-key-and-propagate':
            respond(null);
            break;
          case 'propagate-null-if-no-fk-val-available':
            respond(found);
            break;
          case 'propagate-only-if-fk-val-available':
            if (found !== null) respond(found);
            break;
          case 'delete-key-no-propagate':
            break;
        }
      },
    };
  };
}

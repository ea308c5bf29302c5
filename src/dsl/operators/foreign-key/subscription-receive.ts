import type { ProcessorSupplier } from '../../../processor/processor.ts';
import type { ProcessorContext } from '../../../processor/processor-context.ts';
import type { Serializer } from '../../../serdes/serde.ts';
import type { KeyValueStore } from '../../../state/key-value-store.ts';
import { combinedKey } from './combined-key.ts';
import type { SubscriptionWrapper } from './subscription-wrapper.ts';

/** A subscription as the right side handles it: the foreign key it names and the left row's key. */
export interface SubscriptionKey<KO, K> {
  readonly foreignKey: KO | null;
  readonly primaryKey: K;
}

export interface SubscriptionReceiveSpec<K, KO> {
  readonly storeName: string;
  readonly foreignKeySerializer: Serializer<KO>;
  readonly primaryKeySerializer: Serializer<K>;
  readonly topic: string;
}

/**
 * The right side's intake (Kafka Streams' SubscriptionReceiveProcessorSupplier): records each
 * subscription in the subscription store under (foreign key, left key), or removes it when the left row
 * unsubscribes, then passes it on to be answered. A null foreign key is stored nowhere and is only passed
 * on when it asks for a null answer (left joins).
 */
export function subscriptionReceive<K, KO>(
  spec: SubscriptionReceiveSpec<K, KO>,
): ProcessorSupplier<KO | null, SubscriptionWrapper<K>, SubscriptionKey<KO, K>, SubscriptionWrapper<K>> {
  return () => {
    let context: ProcessorContext<SubscriptionKey<KO, K>, SubscriptionWrapper<K>>;
    let store: KeyValueStore<Buffer, SubscriptionWrapper<K>>;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<Buffer, SubscriptionWrapper<K>>>(spec.storeName);
      },
      process: (record) => {
        const subscription = record.value;
        const foreignKey = record.key ?? null;
        if (foreignKey === null) {
          if (subscription.instruction !== 'propagate-null-if-no-fk-val-available') {
            context.recordDropped('null-key');
            return;
          }
        } else {
          const fk = spec.foreignKeySerializer.serialize(`${spec.topic}-fk`, foreignKey) ?? Buffer.alloc(0);
          const pk =
            spec.primaryKeySerializer.serialize(`${spec.topic}-pk`, subscription.primaryKey) ?? Buffer.alloc(0);
          const key = combinedKey(fk, pk);
          const unsubscribes =
            subscription.instruction === 'delete-key-and-propagate' ||
            subscription.instruction === 'delete-key-no-propagate';
          if (unsubscribes) store.delete(key);
          else store.put(key, subscription);
        }
        context.forward({ ...record, key: { foreignKey, primaryKey: subscription.primaryKey } });
      },
    };
  };
}

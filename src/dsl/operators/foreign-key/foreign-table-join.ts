import type { ProcessorSupplier } from '../../../processor/processor.ts';
import type { ProcessorContext } from '../../../processor/processor-context.ts';
import type { Serializer } from '../../../serdes/serde.ts';
import type { KeyValueStore } from '../../../state/key-value-store.ts';
import type { Change } from '../../types.ts';
import { combinedKeyPrefix } from './combined-key.ts';
import type { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import type { SubscriptionWrapper } from './subscription-wrapper.ts';

export interface ForeignTableJoinSpec<KO> {
  readonly storeName: string;
  readonly foreignKeySerializer: Serializer<KO>;
  readonly topic: string;
}

/**
 * The right side's updates (Kafka Streams' ForeignTableJoinProcessorSupplier): a change of a foreign row
 * is sent to every left row subscribed to it (a prefix scan of the subscription store), each response
 * carrying the hash its subscription came with. A deletion sends null.
 */
export function foreignTableJoin<K, KO, VO>(
  spec: ForeignTableJoinSpec<KO>,
): ProcessorSupplier<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  return () => {
    let context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
    let store: KeyValueStore<Buffer, SubscriptionWrapper<K>>;
    return {
      init: (c) => {
        context = c;
        store = c.getStateStore<KeyValueStore<Buffer, SubscriptionWrapper<K>>>(spec.storeName);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key');
          return;
        }
        if (record.value.newValue === null && record.value.oldValue === null) return;
        const foreignKey = spec.foreignKeySerializer.serialize(`${spec.topic}-fk`, record.key) ?? Buffer.alloc(0);
        // Collected first: forwarding runs downstream code while the scan would still be open.
        const subscriptions = [...store.prefixScan(combinedKeyPrefix(foreignKey))].map((entry) => entry.value);
        for (const subscription of subscriptions) {
          context.forward({
            ...record,
            key: subscription.primaryKey,
            value: {
              hash: subscription.hash,
              foreignValue: record.value.newValue,
              primaryPartition: subscription.primaryPartition,
            },
          });
        }
      },
    };
  };
}

import type { ProcessorSupplier } from '../../../processor/processor.ts';
import type { ProcessorContext } from '../../../processor/processor-context.ts';
import type { StreamRecord } from '../../../processor/stream-record.ts';
import type { Serializer } from '../../../serdes/serde.ts';
import type { Change } from '../../types.ts';
import type { SubscriptionInstruction, SubscriptionWrapper } from './subscription-wrapper.ts';
import { valueHash } from './value-hash.ts';

export interface SubscriptionSendSpec<V, KO> {
  readonly foreignKeyExtractor: (value: V) => KO | null;
  /** Foreign keys are compared by their bytes, as the right table's partitioner sees them. */
  readonly foreignKeySerializer: Serializer<KO>;
  readonly valueSerializer: Serializer<V>;
  readonly leftJoin: boolean;
  /** Names the serializers' topic argument (the subscription topic). */
  readonly topic: string;
}

/**
 * The left side of a foreign-key join (Kafka Streams' SubscriptionSendProcessorSupplier): each update of a
 * left row subscribes it to its foreign key, carrying a hash of the row's value and the task's partition.
 * A changed foreign key unsubscribes from the old one first; a deleted row unsubscribes and asks for a
 * null answer so the result is deleted. Inner joins skip rows whose foreign key is null.
 */
export function subscriptionSend<K, V, KO>(
  spec: SubscriptionSendSpec<V, KO>,
): ProcessorSupplier<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  return () => {
    let context: ProcessorContext<KO | null, SubscriptionWrapper<K>>;
    const bytesOf = (key: KO | null) => (key === null ? null : spec.foreignKeySerializer.serialize(spec.topic, key));
    const sameKey = (a: KO | null, b: KO | null) => {
      const x = bytesOf(a);
      const y = bytesOf(b);
      return x === null || y === null ? x === y : x.equals(y);
    };
    const extract = (value: V | null): KO | null => (value === null ? null : (spec.foreignKeyExtractor(value) ?? null));

    const send = (
      record: StreamRecord<K, Change<V>>,
      foreignKey: KO | null,
      instruction: SubscriptionInstruction,
      hash: Buffer | null,
    ) => {
      const wrapper = { hash, instruction, primaryKey: record.key, primaryPartition: context.taskId.partition };
      context.forward({ ...record, key: foreignKey, value: wrapper });
    };

    const leftJoinInstructions = (record: StreamRecord<K, Change<V>>, hash: Buffer | null) => {
      const { newValue, oldValue } = record.value;
      const newKey = extract(newValue);
      if (oldValue !== null) {
        const oldKey = extract(oldValue);
        if (oldKey !== null && !sameKey(newKey, oldKey)) send(record, oldKey, 'delete-key-and-propagate', hash);
        send(record, newKey, 'propagate-null-if-no-fk-val-available', hash);
      } else if (newValue !== null) {
        send(record, newKey, 'propagate-null-if-no-fk-val-available', hash);
      }
    };

    const innerJoinInstructions = (record: StreamRecord<K, Change<V>>, hash: Buffer | null) => {
      const { newValue, oldValue } = record.value;
      if (oldValue !== null) {
        const oldKey = extract(oldValue);
        if (oldKey === null) return context.recordDropped('null-key');
        if (newValue === null) return send(record, oldKey, 'delete-key-and-propagate', hash);
        const newKey = extract(newValue);
        if (newKey === null) return context.recordDropped('null-key');
        if (!sameKey(newKey, oldKey)) send(record, oldKey, 'delete-key-no-propagate', hash);
        send(record, newKey, 'propagate-null-if-no-fk-val-available', hash);
      } else if (newValue !== null) {
        const newKey = extract(newValue);
        if (newKey === null) return context.recordDropped('null-key');
        send(record, newKey, 'propagate-only-if-fk-val-available', hash);
      }
    };

    return {
      init: (c) => {
        context = c;
      },
      process: (record) => {
        const hash = valueHash(spec.valueSerializer, spec.topic, record.value.newValue);
        if (spec.leftJoin) leftJoinInstructions(record, hash);
        else innerJoinInstructions(record, hash);
      },
    };
  };
}

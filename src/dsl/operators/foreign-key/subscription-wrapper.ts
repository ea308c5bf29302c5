import type { Serde } from '../../../serdes/serde.ts';
import {
  checkWireVersion,
  FK_JOIN_WIRE_VERSION,
  HASH_BYTES,
  serializationFailed,
  unknownInstruction,
} from './wire-format.ts';

/**
 * What the left side asks of the row a foreign key points to (Kafka Streams' SubscriptionWrapper
 * instructions): forget the subscription quietly, forget it and answer with null, answer even without a
 * matching row (a changed key or a left join must replace the old result), answer only with a match.
 */
export const subscriptionInstructions = [
  'delete-key-no-propagate',
  'delete-key-and-propagate',
  'propagate-null-if-no-fk-val-available',
  'propagate-only-if-fk-val-available',
] as const;
export type SubscriptionInstruction = (typeof subscriptionInstructions)[number];

/** A left row's subscription to a foreign key, sent on the subscription registration topic. */
export interface SubscriptionWrapper<K> {
  /** Hash of the left value that sent it (null: the row was deleted); responses carry it back. */
  readonly hash: Buffer | null;
  readonly instruction: SubscriptionInstruction;
  readonly primaryKey: K;
  /** The left task's partition: the response goes back there. */
  readonly primaryPartition: number;
}

/** Layout: version, flags (bit 0: hash present), instruction, [16-byte hash], int32 partition, primary key bytes. */
export function subscriptionWrapperSerde<K>(primaryKeySerde: Serde<K>): Serde<SubscriptionWrapper<K>> {
  return {
    serialize: (topic, wrapper) => {
      if (wrapper === null || wrapper === undefined) return null;
      const key = primaryKeySerde.serialize(`${topic}-pk`, wrapper.primaryKey);
      if (key === null) throw serializationFailed('primary key of a subscription', topic);
      const hash = wrapper.hash ?? Buffer.alloc(0);
      const head = Buffer.alloc(3);
      head[0] = FK_JOIN_WIRE_VERSION;
      head[1] = wrapper.hash === null ? 0 : 1;
      head[2] = subscriptionInstructions.indexOf(wrapper.instruction);
      const partition = Buffer.alloc(4);
      partition.writeInt32BE(wrapper.primaryPartition);
      return Buffer.concat([head, hash, partition, key]);
    },
    deserialize: (topic, data) => {
      if (data === null || data === undefined) return null;
      checkWireVersion(topic, data, 'subscription');
      const hasHash = (data[1]! & 1) === 1;
      const instruction = subscriptionInstructions[data[2]!];
      if (instruction === undefined) throw unknownInstruction(topic, data[2]!);
      const hashEnd = hasHash ? 3 + HASH_BYTES : 3;
      return {
        hash: hasHash ? Buffer.from(data.subarray(3, hashEnd)) : null,
        instruction,
        primaryPartition: data.readInt32BE(hashEnd),
        primaryKey: primaryKeySerde.deserialize(`${topic}-pk`, data.subarray(hashEnd + 4)) as K,
      };
    },
  };
}

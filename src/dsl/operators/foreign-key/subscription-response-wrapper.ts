import type { Serde } from '../../../serdes/serde.ts';
import { checkWireVersion, FK_JOIN_WIRE_VERSION, HASH_BYTES } from './wire-format.ts';

/** The right side's answer to a subscription, sent on the response topic keyed by the left key. */
export interface SubscriptionResponseWrapper<VO> {
  /** The hash the subscription carried: a response whose hash no longer matches the left row is stale. */
  readonly hash: Buffer | null;
  /** The foreign row's value; null when there is none. */
  readonly foreignValue: VO | null;
  readonly primaryPartition: number;
}

/** Layout: version, flags (bit 0: hash present, bit 1: value present), [16-byte hash], int32 partition, value bytes. */
export function subscriptionResponseWrapperSerde<VO>(
  foreignValueSerde: Serde<VO>,
): Serde<SubscriptionResponseWrapper<VO>> {
  return {
    serialize: (topic, wrapper) => {
      if (wrapper === null || wrapper === undefined) return null;
      const value = wrapper.foreignValue === null ? null : foreignValueSerde.serialize(topic, wrapper.foreignValue);
      const head = Buffer.alloc(2);
      head[0] = FK_JOIN_WIRE_VERSION;
      head[1] = (wrapper.hash === null ? 0 : 1) | (value === null ? 0 : 2);
      const partition = Buffer.alloc(4);
      partition.writeInt32BE(wrapper.primaryPartition);
      return Buffer.concat([head, wrapper.hash ?? Buffer.alloc(0), partition, value ?? Buffer.alloc(0)]);
    },
    deserialize: (topic, data) => {
      if (data === null || data === undefined) return null;
      checkWireVersion(topic, data, 'subscription response');
      const hasHash = (data[1]! & 1) === 1;
      const hasValue = (data[1]! & 2) === 2;
      const hashEnd = hasHash ? 2 + HASH_BYTES : 2;
      return {
        hash: hasHash ? Buffer.from(data.subarray(2, hashEnd)) : null,
        primaryPartition: data.readInt32BE(hashEnd),
        foreignValue: hasValue ? foreignValueSerde.deserialize(topic, data.subarray(hashEnd + 4)) : null,
      };
    },
  };
}

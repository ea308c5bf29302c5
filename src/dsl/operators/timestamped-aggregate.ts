import type { Serde } from '../../serdes/serde.ts';
import { deserializationFailed, wrongSerdeHint } from '../../serdes/serde-errors.ts';

/**
 * A sliding window's aggregate with the largest record timestamp in the window (Kafka Streams'
 * ValueAndTimestamp): the timestamp tells the window's records apart from its neighbours'.
 */
export interface TimestampedAggregate<VA> {
  readonly value: VA;
  readonly timestamp: number;
}

/** Kafka Streams' ValueAndTimestamp layout: the timestamp as an 8-byte big-endian long, then the value's bytes. */
export function timestampedAggregateSerde<VA>(inner: Serde<VA>): Serde<TimestampedAggregate<VA>> {
  return {
    serialize(topic, aggregate, headers) {
      if (aggregate === null || aggregate === undefined) return null;
      const value = inner.serialize(topic, aggregate.value, headers) ?? Buffer.alloc(0);
      const out = Buffer.allocUnsafe(8 + value.length);
      out.writeBigInt64BE(BigInt(aggregate.timestamp), 0);
      value.copy(out, 8);
      return out;
    },
    deserialize(topic, data, headers) {
      if (data === null || data === undefined) return null;
      if (data.length < 8) {
        throw deserializationFailed(
          'the sliding window store',
          topic,
          `${data.length} bytes are fewer than the 8 bytes of the timestamp`,
          wrongSerdeHint('a timestamp followed by the aggregate'),
        );
      }
      const value = inner.deserialize(topic, data.subarray(8), headers) as VA;
      return { value, timestamp: Number(data.readBigInt64BE(0)) };
    },
  };
}

import type { Serde } from './serde.ts';
import { describeValue, serializationFailed } from './serde-errors.ts';

const serde: Serde<string> = {
  serialize(topic, value) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') {
      throw serializationFailed(
        'Serdes.string()',
        topic,
        `${describeValue(value)} is not a string`,
        'Pass a string, or choose the serde that matches the value (Serdes.json() for objects).',
      );
    }
    return Buffer.from(value, 'utf8');
  },
  deserialize(_topic, data) {
    // Like Java's StringDeserializer, invalid UTF-8 sequences become U+FFFD instead of failing.
    return data === null || data === undefined ? null : data.toString('utf8');
  },
};

/** Java's StringSerde with its default encoding: UTF-8 bytes, no length prefix. */
export function stringSerde(): Serde<string> {
  return serde;
}

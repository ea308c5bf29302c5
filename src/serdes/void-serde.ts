import type { Serde } from './serde.ts';
import { deserializationFailed } from './serde-errors.ts';

const serde: Serde<null> = {
  serialize: () => null,
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    throw deserializationFailed(
      'Serdes.void()',
      topic,
      `Data should be null for a VoidDeserializer (got ${data.length} bytes)`,
      'Serdes.void() is for keys or values that are always absent; configure the serde that matches what the producers of this topic write.',
    );
  },
};

/** Java's VoidSerde: for keys or values that are always null; anything else fails. */
export function voidSerde(): Serde<null> {
  return serde;
}

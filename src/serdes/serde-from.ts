import type { Deserializer, Serde, Serializer } from './serde.ts';

/** Pairs a serializer and a deserializer into one serde, like Java's `Serdes.serdeFrom`. */
export function serdeFrom<T>(serializer: Serializer<T>, deserializer: Deserializer<T>): Serde<T> {
  return {
    serialize: (topic, value, headers) => serializer.serialize(topic, value, headers),
    deserialize: (topic, data, headers) => deserializer.deserialize(topic, data, headers),
  };
}

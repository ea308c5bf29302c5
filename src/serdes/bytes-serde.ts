import type { Serde } from './serde.ts';

const serde: Serde<Buffer> = {
  serialize: (_topic, value) => value ?? null,
  deserialize: (_topic, data) => data ?? null,
};

/** Java's ByteArraySerde: the bytes as they are, without copying. */
export function bytesSerde(): Serde<Buffer> {
  return serde;
}

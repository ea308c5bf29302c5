import { createHash } from 'node:crypto';
import type { Serializer } from '../../../serdes/serde.ts';
import { HASH_BYTES } from './wire-format.ts';

/**
 * A 16-byte digest of a left row's serialized value (Kafka Streams uses Murmur3-128): a response is
 * applied only while the row still has the value that sent its subscription. Null for a deleted row.
 */
export function valueHash<V>(serializer: Serializer<V>, topic: string, value: V | null): Buffer | null {
  if (value === null) return null;
  const bytes = serializer.serialize(topic, value) ?? Buffer.alloc(0);
  return createHash('sha256').update(bytes).digest().subarray(0, HASH_BYTES);
}

export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

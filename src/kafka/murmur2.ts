/**
 * Kafka's murmur2 hash and key partitioner, bit-for-bit the same as Java's `Utils.murmur2` and
 * `BuiltInPartitioner.partitionForKey`, so a key lands in the partition a Java, Go or Python producer
 * would choose, and key lookups (interactive queries, joins) agree with data written by them.
 */
const seed = 0x9747b28c;
const m = 0x5bd1e995;
const r = 24;

/** Java's murmur2 over the key bytes: a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = seed ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length4 << 2;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Java's default partitioner picks for a non-null key: toPositive(murmur2(key)) % n. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

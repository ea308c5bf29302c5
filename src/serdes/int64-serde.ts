import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<bigint>({
  name: 'Serdes.int64()',
  javaDeserializer: 'LongDeserializer',
  size: 8,
  describes: 'a 64-bit integer as a bigint (-2n ** 63n to 2n ** 63n - 1n)',
  accepts: (value) => typeof value === 'bigint' && BigInt.asIntN(64, value) === value,
  write: (buffer, value) => buffer.writeBigInt64BE(value, 0),
  read: (data) => data.readBigInt64BE(0),
});

/** Java's LongSerde with the full 64-bit range: 8 bytes, big-endian two's complement, as a bigint. */
export function int64Serde(): Serde<bigint> {
  return serde;
}

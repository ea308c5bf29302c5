import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<number>({
  name: 'Serdes.int32()',
  javaDeserializer: 'IntegerDeserializer',
  size: 4,
  describes: 'a 32-bit integer (-2147483648 to 2147483647)',
  accepts: (value) => Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647,
  write: (buffer, value) => buffer.writeInt32BE(value, 0),
  read: (data) => data.readInt32BE(0),
});

/** Java's IntegerSerde: 4 bytes, big-endian two's complement. */
export function int32Serde(): Serde<number> {
  return serde;
}

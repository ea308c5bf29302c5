import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<number>({
  name: 'Serdes.int16()',
  javaDeserializer: 'ShortDeserializer',
  size: 2,
  describes: 'a 16-bit integer (-32768 to 32767)',
  accepts: (value) => Number.isInteger(value) && (value as number) >= -32768 && (value as number) <= 32767,
  write: (buffer, value) => buffer.writeInt16BE(value, 0),
  read: (data) => data.readInt16BE(0),
});

/** Java's ShortSerde: 2 bytes, big-endian two's complement. */
export function int16Serde(): Serde<number> {
  return serde;
}

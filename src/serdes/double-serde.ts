import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<number>({
  name: 'Serdes.double()',
  javaDeserializer: 'DoubleDeserializer',
  size: 8,
  describes: 'a number',
  accepts: (value) => typeof value === 'number',
  write: (buffer, value) => buffer.writeDoubleBE(value, 0),
  read: (data) => data.readDoubleBE(0),
});

/** Java's DoubleSerde: IEEE-754 double precision, 8 bytes big-endian. */
export function doubleSerde(): Serde<number> {
  return serde;
}

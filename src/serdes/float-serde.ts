import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<number>({
  name: 'Serdes.float()',
  javaDeserializer: 'FloatDeserializer',
  size: 4,
  describes: 'a number',
  accepts: (value) => typeof value === 'number',
  write: (buffer, value) => buffer.writeFloatBE(value, 0),
  read: (data) => data.readFloatBE(0),
});

/** Java's FloatSerde: IEEE-754 single precision, 4 bytes big-endian (values are rounded to float). */
export function floatSerde(): Serde<number> {
  return serde;
}

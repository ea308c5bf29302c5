import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const serde = fixedWidthSerde<boolean>({
  name: 'Serdes.boolean()',
  javaDeserializer: 'BooleanDeserializer',
  size: 1,
  describes: 'a boolean',
  accepts: (value) => typeof value === 'boolean',
  write: (buffer, value) => {
    buffer[0] = value ? 1 : 0;
  },
  read: (data) => {
    const byte = data[0];
    if (byte === 1) return true;
    if (byte === 0) return false;
    return {
      invalid: `Unexpected byte received by BooleanDeserializer: ${byte}`,
      hint: 'Booleans are one byte, 0x01 or 0x00; check that the producers of this topic use a boolean serializer.',
    };
  },
});

/** Java's BooleanSerde: one byte, 0x01 for true and 0x00 for false. */
export function booleanSerde(): Serde<boolean> {
  return serde;
}

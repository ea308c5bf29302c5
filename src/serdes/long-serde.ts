import { fixedWidthSerde } from './fixed-width-serde.ts';
import type { Serde } from './serde.ts';

const TWO_TO_32 = 2 ** 32;

const serde = fixedWidthSerde<number>({
  name: 'Serdes.long()',
  javaDeserializer: 'LongDeserializer',
  size: 8,
  describes: 'a safe integer (-(2^53 - 1) to 2^53 - 1)',
  accepts: (value) => Number.isSafeInteger(value),
  // Two 32-bit halves avoid creating a bigint per call.
  write: (buffer, value) => {
    const high = Math.floor(value / TWO_TO_32);
    buffer.writeInt32BE(high, 0);
    buffer.writeUInt32BE(value - high * TWO_TO_32, 4);
  },
  read: (data) => {
    const value = data.readInt32BE(0) * TWO_TO_32 + data.readUInt32BE(4);
    // Outside the safe range the sum is rounded, and a rounded value is never a safe integer.
    if (Number.isSafeInteger(value)) return value;
    return {
      invalid: `the long ${data.readBigInt64BE(0)} does not fit a JavaScript number without losing precision`,
      hint: 'Use Serdes.int64(), which reads longs as bigint, for topics whose values can exceed 2^53 - 1.',
    };
  },
});

/**
 * Java's LongSerde for values that fit a JavaScript number (timestamps, counts): 8 bytes, big-endian two's
 * complement. Longs beyond 2^53 - 1 fail loudly instead of losing precision; use `int64Serde` for those.
 */
export function longSerde(): Serde<number> {
  return serde;
}

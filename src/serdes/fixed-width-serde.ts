import type { Serde } from './serde.ts';
import { describeValue, deserializationFailed, serializationFailed, wrongSerdeHint } from './serde-errors.ts';

/** How one fixed-width Java serializer lays out its value; see the serdes built on it. */
export interface FixedWidthFormat<T> {
  /** How users call it, for messages: `Serdes.int32()`. */
  readonly name: string;
  /** The Java deserializer with the same layout, named in size errors exactly as Java names it. */
  readonly javaDeserializer: string;
  readonly size: number;
  /** What a valid value is, for messages: `a 32-bit integer`. */
  readonly describes: string;
  accepts(value: unknown): boolean;
  write(buffer: Buffer, value: T): void;
  /** Reads `size` bytes; returns a message instead of throwing when the bytes are not a valid value. */
  read(data: Buffer): T | FixedWidthReadError;
}

/** A decoded value that turned out invalid (e.g. a long beyond 2^53 read as a number). */
export interface FixedWidthReadError {
  readonly invalid: string;
  readonly hint: string;
}

/** A serde for values of a fixed byte width, with Java's size check on read. */
export function fixedWidthSerde<T>(format: FixedWidthFormat<T>): Serde<T> {
  const { name, size } = format;
  const sizeMessage = `Size of data received by ${format.javaDeserializer} is not ${size}`;
  const sizeHint = wrongSerdeHint(format.describes);
  return {
    serialize(topic, value) {
      if (value === null || value === undefined) return null;
      if (!format.accepts(value)) {
        throw serializationFailed(
          name,
          topic,
          `${describeValue(value)} is not ${format.describes}`,
          `Pass ${format.describes}, or choose the serde that matches the value's type.`,
        );
      }
      // allocUnsafe takes small buffers from Node's shared pool, so this is a slice, not a fresh allocation.
      const buffer = Buffer.allocUnsafe(size);
      format.write(buffer, value);
      return buffer;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.length !== size) {
        throw deserializationFailed(name, topic, `${sizeMessage} (got ${data.length} bytes)`, sizeHint);
      }
      const value = format.read(data);
      if (isReadError(value)) throw deserializationFailed(name, topic, value.invalid, value.hint);
      return value;
    },
  };
}

function isReadError(value: unknown): value is FixedWidthReadError {
  return typeof value === 'object' && value !== null && 'invalid' in value;
}

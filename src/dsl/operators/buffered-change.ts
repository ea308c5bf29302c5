import type { Serde } from '../../serdes/serde.ts';
import { deserializationFailed, wrongSerdeHint } from '../../serdes/serde-errors.ts';
import type { Change } from '../types.ts';

/** A table update waiting in a suppression buffer until `bufferTime` (its window's end) closes. */
export interface BufferedChange<V> {
  readonly bufferTime: number;
  /** The timestamp of the update, which the emitted record keeps. */
  readonly timestamp: number;
  readonly change: Change<V>;
}

const HEADER_BYTES = 16;

function writeOptional(parts: Buffer[], bytes: Buffer | null): void {
  const length = Buffer.allocUnsafe(4);
  length.writeInt32BE(bytes === null ? -1 : bytes.length, 0);
  parts.push(length);
  if (bytes !== null) parts.push(bytes);
}

/**
 * The buffer's value format: buffer time and timestamp (8-byte big-endian longs), then the old and new
 * value, each as a 4-byte length (-1: null) and the value serde's bytes.
 */
export function bufferedChangeSerde<V>(valueSerde: Serde<V>): Serde<BufferedChange<V>> {
  const name = 'the suppression buffer';
  return {
    serialize(topic, buffered) {
      if (buffered === null || buffered === undefined) return null;
      const header = Buffer.allocUnsafe(HEADER_BYTES);
      header.writeBigInt64BE(BigInt(buffered.bufferTime), 0);
      header.writeBigInt64BE(BigInt(buffered.timestamp), 8);
      const parts = [header];
      writeOptional(parts, valueSerde.serialize(topic, buffered.change.oldValue));
      writeOptional(parts, valueSerde.serialize(topic, buffered.change.newValue));
      return Buffer.concat(parts);
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      let offset = HEADER_BYTES;
      const readOptional = (): V | null => {
        if (data.length < offset + 4) {
          throw deserializationFailed(
            name,
            topic,
            'the record is truncated',
            wrongSerdeHint('suppression buffer entries'),
          );
        }
        const length = data.readInt32BE(offset);
        offset += 4;
        if (length < 0) return null;
        const value = valueSerde.deserialize(topic, data.subarray(offset, offset + length));
        offset += length;
        return value;
      };
      if (data.length < HEADER_BYTES) {
        throw deserializationFailed(
          name,
          topic,
          'the record is truncated',
          wrongSerdeHint('suppression buffer entries'),
        );
      }
      const bufferTime = Number(data.readBigInt64BE(0));
      const timestamp = Number(data.readBigInt64BE(8));
      const oldValue = readOptional();
      const newValue = readOptional();
      return { bufferTime, timestamp, change: { oldValue, newValue } };
    },
  };
}

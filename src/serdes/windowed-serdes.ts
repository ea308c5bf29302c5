import type { Serde, SerdeHeader } from './serde.ts';
import { deserializationFailed, serializationFailed, wrongSerdeHint } from './serde-errors.ts';
import type { Windowed } from './windowed.ts';

const TIME_BYTES = 8;

function writeTime(buffer: Buffer, time: number, offset: number): void {
  buffer.writeBigInt64BE(BigInt(time), offset);
}

function readTime(data: Buffer, offset: number): number {
  return Number(data.readBigInt64BE(offset));
}

function innerBytes<K>(
  name: string,
  inner: Serde<K>,
  topic: string,
  windowed: Windowed<K>,
  headers: readonly SerdeHeader[] | undefined,
): Buffer {
  for (const time of [windowed.window.start, windowed.window.end]) {
    if (!Number.isSafeInteger(time)) {
      throw serializationFailed(
        name,
        topic,
        `the window bound ${time} is not a safe integer`,
        'Window bounds are epoch milliseconds: pass whole numbers.',
      );
    }
  }
  const bytes = inner.serialize(topic, windowed.key, headers);
  if (bytes === null) {
    throw serializationFailed(
      name,
      topic,
      'the inner key serde returned null for a windowed key',
      'Windowed keys cannot be null: drop null keys before a windowed aggregation.',
    );
  }
  return bytes;
}

function checkLength(name: string, topic: string, data: Buffer, minimum: number): void {
  if (data.length < minimum) {
    throw deserializationFailed(
      name,
      topic,
      `${data.length} bytes are fewer than the ${minimum} bytes of the window times`,
      wrongSerdeHint('windowed keys (inner key bytes followed by the window times)'),
    );
  }
}

/**
 * Java's TimeWindowedSerde: the inner key's bytes, then the window start as an 8-byte big-endian long.
 * The end is not written; reading derives it as `start + windowSizeMs`, so pass the window size used to
 * aggregate.
 */
export function timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  const name = 'WindowedSerdes.timeWindowedSerdeFrom()';
  return {
    serialize(topic, windowed, headers) {
      if (windowed === null || windowed === undefined) return null;
      const key = innerBytes(name, inner, topic, windowed, headers);
      const out = Buffer.allocUnsafe(key.length + TIME_BYTES);
      key.copy(out, 0);
      writeTime(out, windowed.window.start, key.length);
      return out;
    },
    deserialize(topic, data, headers) {
      if (data === null || data === undefined) return null;
      checkLength(name, topic, data, TIME_BYTES);
      const keyLength = data.length - TIME_BYTES;
      const key = inner.deserialize(topic, data.subarray(0, keyLength), headers) as K;
      const start = readTime(data, keyLength);
      return { key, window: { start, end: start + windowSizeMs } };
    },
  };
}

/**
 * Java's SessionWindowedSerde: the inner key's bytes, then the session end and the session start, each an
 * 8-byte big-endian long.
 */
export function sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
  const name = 'WindowedSerdes.sessionWindowedSerdeFrom()';
  return {
    serialize(topic, windowed, headers) {
      if (windowed === null || windowed === undefined) return null;
      const key = innerBytes(name, inner, topic, windowed, headers);
      const out = Buffer.allocUnsafe(key.length + 2 * TIME_BYTES);
      key.copy(out, 0);
      writeTime(out, windowed.window.end, key.length);
      writeTime(out, windowed.window.start, key.length + TIME_BYTES);
      return out;
    },
    deserialize(topic, data, headers) {
      if (data === null || data === undefined) return null;
      checkLength(name, topic, data, 2 * TIME_BYTES);
      const keyLength = data.length - 2 * TIME_BYTES;
      const key = inner.deserialize(topic, data.subarray(0, keyLength), headers) as K;
      const end = readTime(data, keyLength);
      const start = readTime(data, keyLength + TIME_BYTES);
      return { key, window: { start, end } };
    },
  };
}

/** The windowed key serdes by name, like Java's `WindowedSerdes`. */
export const WindowedSerdes = {
  timeWindowedSerdeFrom,
  sessionWindowedSerdeFrom,
} as const;

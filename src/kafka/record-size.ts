import type { ProducerRecord } from './types.ts';

/**
 * Bytes of a v2 record batch around its records: the 61-byte batch header plus the 12-byte log entry
 * overhead (offset and length) that the broker counts against max.message.bytes.
 */
export const recordBatchOverhead = 61 + 12;

/** Bytes of a zig-zag varint holding `value` (a length, or -1 for null). */
function varintSize(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes += 1;
  }
  return bytes;
}

function fieldSize(bytes: Buffer | null | undefined): number {
  return bytes == null ? varintSize(-1) : varintSize(bytes.length) + bytes.length;
}

/**
 * An upper bound on the bytes one record takes inside an uncompressed v2 record batch. Lengths are exact;
 * the timestamp and offset deltas, which depend on the batch, are counted at their largest varint size.
 */
export function recordSizeUpperBound(record: ProducerRecord): number {
  const attributes = 1;
  const timestampDelta = 10;
  const offsetDelta = 5;
  let body = attributes + timestampDelta + offsetDelta + fieldSize(record.key) + fieldSize(record.value);
  const headers = record.headers ?? [];
  body += varintSize(headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    body += varintSize(keyBytes) + keyBytes + fieldSize(header.value);
  }
  return varintSize(body) + body;
}

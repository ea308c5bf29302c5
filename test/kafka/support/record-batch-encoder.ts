import { gzipSync } from 'node:zlib';
import { crc32c } from '../../../src/kafka/crc32c.ts';

type Bytes = Buffer | string | null;

export interface EncodedRecord {
  readonly offsetDelta: number;
  readonly key: Bytes;
  readonly value: Bytes;
  readonly headers?: readonly (readonly [string, Bytes])[];
}

export interface EncodedBatch {
  readonly baseOffset: number;
  readonly records: readonly EncodedRecord[];
  readonly lastOffsetDelta?: number;
  readonly gzip?: boolean;
  readonly transactional?: boolean;
  readonly control?: 'abort' | 'commit';
  readonly producerId?: bigint;
}

function varint(value: number): Buffer {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  const bytes: number[] = [];
  while (zigzag > 0x7f) {
    bytes.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  bytes.push(zigzag);
  return Buffer.from(bytes);
}

function sized(data: Bytes): Buffer {
  if (data === null) return varint(-1);
  const bytes = Buffer.from(data);
  return Buffer.concat([varint(bytes.length), bytes]);
}

function encodeRecord(record: EncodedRecord): Buffer {
  const headers = record.headers ?? [];
  const body = Buffer.concat([
    Buffer.from([0]),
    // A timestamp delta of 300: a two-byte varlong.
    Buffer.from([0xd8, 0x04]),
    varint(record.offsetDelta),
    sized(record.key),
    sized(record.value),
    varint(headers.length),
    ...headers.flatMap(([k, v]) => [sized(k), sized(v)]),
  ]);
  return Buffer.concat([varint(body.length), body]);
}

/** Recomputes a batch's CRC-32C in place (after a test changed its bytes on purpose). */
export function sealRecordBatch(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

/** A v2 record batch as a broker sends it, for tests of readers. */
export function encodeRecordBatch(batch: EncodedBatch): Buffer {
  const marker = Buffer.alloc(4);
  marker.writeInt16BE(batch.control === 'commit' ? 1 : 0, 2);
  const records = Buffer.concat(
    batch.control === undefined
      ? batch.records.map(encodeRecord)
      : [encodeRecord({ offsetDelta: 0, key: marker, value: '' })],
  );
  const count = batch.control === undefined ? batch.records.length : 1;
  const payload = batch.gzip === true ? gzipSync(records) : records;
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(BigInt(batch.baseOffset), 0);
  header.writeInt32BE(61 - 12 + payload.length, 8);
  header.writeInt8(2, 16);
  const attributes =
    (batch.gzip === true ? 1 : 0) |
    (batch.transactional === true || batch.control !== undefined ? 1 << 4 : 0) |
    (batch.control === undefined ? 0 : 1 << 5);
  header.writeInt16BE(attributes, 21);
  header.writeInt32BE(batch.lastOffsetDelta ?? count - 1, 23);
  header.writeBigInt64BE(batch.producerId ?? -1n, 43);
  header.writeInt32BE(count, 57);
  return sealRecordBatch(Buffer.concat([header, payload]));
}

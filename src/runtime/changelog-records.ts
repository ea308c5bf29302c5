import type { Header } from '../kafka/types.ts';
import type { RecordSource } from '../state/store-context.ts';

/**
 * The header carrying the input record a changelog record came from (DESIGN.md, restoration), in binary:
 * a version byte, the partition (int32), the offset (int64), then the topic's UTF-8 bytes. One header of a
 * few bytes instead of three decimal ones: a commit can hold 100,000 changelog records at once.
 */
export const changelogSourceHeader = 'kstreams.source';

/** The three decimal headers written before `changelogSourceHeader`; still read, so old changelogs restore. */
export const changelogSourceHeaders = {
  topic: 'kstreams.source.topic',
  partition: 'kstreams.source.partition',
  offset: 'kstreams.source.offset',
} as const;

const sourceVersion = 1;
// Version byte + int32 partition + int64 offset.
const sourceFixedBytes = 13;
const twoTo32 = 2 ** 32;

/** `<application.id>-<store>-changelog`, as Kafka Streams names it. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

const noHeaders: readonly Header[] = [];

// The topic's bytes per topic, encoded once.
const topicBytes = new Map<string, Buffer>();

function encodedTopic(topic: string): Buffer {
  let bytes = topicBytes.get(topic);
  if (bytes === undefined) {
    bytes = Buffer.from(topic, 'utf8');
    topicBytes.set(topic, bytes);
  }
  return bytes;
}

export function changelogHeaders(source: RecordSource | undefined): readonly Header[] {
  if (source === undefined) return noHeaders;
  const topic = encodedTopic(source.topic);
  // allocUnsafe takes small buffers from Node's shared pool: no separate allocation per record.
  const value = Buffer.allocUnsafe(sourceFixedBytes + topic.length);
  value.writeUInt8(sourceVersion, 0);
  value.writeInt32BE(source.partition, 1);
  // The int64 offset as two uint32 halves: no bigint per record.
  value.writeUInt32BE(Math.floor(source.offset / twoTo32), 5);
  value.writeUInt32BE(source.offset % twoTo32, 9);
  topic.copy(value, sourceFixedBytes);
  return [{ key: changelogSourceHeader, value }];
}

/** A changelog record's source with the topic left as bytes: restoration checks it per record. */
export interface SourceBytes {
  readonly topic: Buffer;
  readonly partition: number;
  readonly offset: number;
}

/** The source of a changelog record, undecoded topic; undefined when it has none or it is malformed. */
export function changelogSourceBytes(headers: readonly Header[]): SourceBytes | undefined {
  for (const header of headers) {
    if (header.key === changelogSourceHeader) return binarySource(header.value);
  }
  return decimalSource(headers);
}

/** Where `readChangelogSource` puts what it read; reused across records, so reading allocates nothing. */
export interface SourcePosition {
  /** Index of the source topic in the `topics` given. */
  topicIndex: number;
  partition: number;
  offset: number;
}

/**
 * Restoration's per-record read: true, with `into` filled, when the record has a well-formed source whose
 * topic is one of `topics` (as UTF-8 bytes). The binary header is read in place; the older three-header
 * form goes through `changelogSourceBytes`. When `topicMatters` says a source position is judged the same
 * whatever its topic, the topic is not compared (most of this read's cost): true with `topicIndex` -1.
 */
export function readChangelogSource(
  headers: readonly Header[],
  topics: readonly Buffer[],
  into: SourcePosition,
  topicMatters?: (partition: number, offset: number) => boolean,
): boolean {
  for (const header of headers) {
    if (header.key !== changelogSourceHeader) continue;
    return readChangelogSourceAt(header.value, 0, header.value.length, topics, into, topicMatters);
  }
  const source = decimalSource(headers);
  if (source === undefined) return false;
  const topicIndex = topicIndexOf(source.topic, 0, source.topic.length, topics);
  if (topicIndex < 0) return false;
  into.topicIndex = topicIndex;
  into.partition = source.partition;
  into.offset = source.offset;
  return true;
}

/**
 * `readChangelogSource` for the `changelogSourceHeader` value at `bytes[start, start + length)`, read in
 * place in a fetched record batch.
 */
export function readChangelogSourceAt(
  bytes: Buffer,
  start: number,
  length: number,
  topics: readonly Buffer[],
  into: SourcePosition,
  topicMatters?: (partition: number, offset: number) => boolean,
): boolean {
  if (length < sourceFixedBytes || bytes[start] !== sourceVersion) return false;
  const partition = bytes.readInt32BE(start + 1);
  const offset = bytes.readUInt32BE(start + 5) * twoTo32 + bytes.readUInt32BE(start + 9);
  if (partition < 0 || !Number.isSafeInteger(offset)) return false;
  let topicIndex = -1;
  if (topicMatters === undefined || topicMatters(partition, offset)) {
    topicIndex = topicIndexOf(bytes, start + sourceFixedBytes, start + length, topics);
    if (topicIndex < 0) return false;
  }
  into.topicIndex = topicIndex;
  into.partition = partition;
  into.offset = offset;
  return true;
}

function topicIndexOf(bytes: Buffer, start: number, end: number, topics: readonly Buffer[]): number {
  for (let i = 0; i < topics.length; i++) {
    if (sameBytes(bytes, start, end, topics[i]!)) return i;
  }
  return -1;
}

// A byte loop: for topic names (tens of bytes) cheaper than Buffer#compare with offsets, whose argument
// checks cost more than the comparison (about 3 % of a restore's event loop).
function sameBytes(bytes: Buffer, start: number, end: number, topic: Buffer): boolean {
  if (end - start !== topic.length) return false;
  for (let i = 0; i < topic.length; i++) if (bytes[start + i] !== topic[i]) return false;
  return true;
}

function binarySource(value: Buffer): SourceBytes | undefined {
  if (value.length < sourceFixedBytes || value[0] !== sourceVersion) return undefined;
  const partition = value.readInt32BE(1);
  const offset = value.readUInt32BE(5) * twoTo32 + value.readUInt32BE(9);
  if (partition < 0 || !Number.isSafeInteger(offset)) return undefined;
  return { topic: value.subarray(sourceFixedBytes), partition, offset };
}

/** The three-header form written by earlier versions. */
function decimalSource(headers: readonly Header[]): SourceBytes | undefined {
  let topic: Buffer | undefined;
  let partition = -1;
  let offset = -1;
  for (const header of headers) {
    if (header.key === changelogSourceHeaders.topic) topic = header.value;
    else if (header.key === changelogSourceHeaders.partition) partition = decimal(header.value);
    else if (header.key === changelogSourceHeaders.offset) offset = decimal(header.value);
  }
  if (topic === undefined || partition < 0 || offset < 0) return undefined;
  return { topic, partition, offset };
}

/** The source of a changelog record, or undefined when it has none (or the headers are malformed). */
export function changelogSource(headers: readonly Header[]): RecordSource | undefined {
  const source = changelogSourceBytes(headers);
  return source === undefined ? undefined : { ...source, topic: source.topic.toString() };
}

// 0x30..0x39: ASCII digits.
const zero = 0x30;
const nine = 0x39;

/** A non-negative decimal written in ASCII, read without decoding a string; -1 when malformed. */
function decimal(bytes: Buffer): number {
  if (bytes.length === 0 || bytes.length > 15) return -1;
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const digit = bytes[i]!;
    if (digit < zero || digit > nine) return -1;
    value = value * 10 + (digit - zero);
  }
  return value;
}

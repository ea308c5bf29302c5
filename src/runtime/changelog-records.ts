import type { Header } from '../kafka/types.ts';
import type { RecordSource } from '../state/store-context.ts';

/** Header names carrying the input record a changelog record came from (DESIGN.md, restoration). */
export const changelogSourceHeaders = {
  topic: 'kstreams.source.topic',
  partition: 'kstreams.source.partition',
  offset: 'kstreams.source.offset',
} as const;

/** `<application.id>-<store>-changelog`, as Kafka Streams names it. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

const noHeaders: readonly Header[] = [];

// The topic and partition headers of each source partition, made once: every changelog record of a flush
// shares them (headers are never mutated), so only the offset header is allocated per record.
const sourcePartitionHeaders = new Map<string, Map<number, readonly [Header, Header]>>();

function partitionHeaders(topic: string, partition: number): readonly [Header, Header] {
  let byPartition = sourcePartitionHeaders.get(topic);
  if (byPartition === undefined) {
    byPartition = new Map();
    sourcePartitionHeaders.set(topic, byPartition);
  }
  let headers = byPartition.get(partition);
  if (headers === undefined) {
    headers = [
      { key: changelogSourceHeaders.topic, value: Buffer.from(topic) },
      { key: changelogSourceHeaders.partition, value: Buffer.from(String(partition)) },
    ];
    byPartition.set(partition, headers);
  }
  return headers;
}

export function changelogHeaders(source: RecordSource | undefined): readonly Header[] {
  if (source === undefined) return noHeaders;
  const [topic, partition] = partitionHeaders(source.topic, source.partition);
  return [topic, partition, { key: changelogSourceHeaders.offset, value: Buffer.from(String(source.offset)) }];
}

/** A changelog record's source with the topic left as bytes: restoration checks it per record. */
export interface SourceBytes {
  readonly topic: Buffer;
  readonly partition: number;
  readonly offset: number;
}

/** The source of a changelog record, undecoded topic; undefined when it has none or it is malformed. */
export function changelogSourceBytes(headers: readonly Header[]): SourceBytes | undefined {
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

import type { IHeaders, RecordMetadata as KafkaJsRecordMetadata, Message } from 'kafkajs';
import type { ConsumedRecord, Header, ProducerRecord, RecordMetadata } from '../types.ts';

/**
 * kafkajs keeps headers in an object: repeated keys become arrays, so the order of repeated keys is kept
 * but the interleaving of different keys (a, b, a) is not.
 */
export function toKafkaJsHeaders(headers: readonly Header[] | undefined): IHeaders | undefined {
  if (headers === undefined || headers.length === 0) return undefined;
  const grouped: Record<string, Buffer[]> = {};
  for (const { key, value } of headers) {
    grouped[key] ??= [];
    grouped[key].push(value);
  }
  const result: IHeaders = {};
  for (const [key, values] of Object.entries(grouped)) result[key] = values.length === 1 ? values[0] : values;
  return result;
}

// Runs once per consumed record: no entry arrays, no array around a single value.
export function fromKafkaJsHeaders(headers: IHeaders | undefined): Header[] {
  const result: Header[] = [];
  if (headers === undefined) return result;
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) result.push(toHeader(key, one));
    else result.push(toHeader(key, value));
  }
  return result;
}

function toHeader(key: string, value: Buffer | string): Header {
  return { key, value: typeof value === 'string' ? Buffer.from(value) : value };
}

export function toKafkaJsMessage(record: ProducerRecord): Message {
  const headers = toKafkaJsHeaders(record.headers);
  return {
    key: record.key,
    value: record.value,
    ...(record.partition === undefined ? {} : { partition: record.partition }),
    ...(headers === undefined ? {} : { headers }),
    timestamp: String(record.timestamp ?? Date.now()),
  };
}

/** The fields of a record as kafkajs decodes it (its consumer messages and its raw fetch responses). */
export interface DecodedMessage {
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers?: IHeaders;
}

export function toConsumedRecord(topic: string, partition: number, message: DecodedMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: fromKafkaJsHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** A send's messages: one per record in record order, and grouped by topic (in order) as sendBatch wants them. */
export interface TopicMessages {
  readonly messages: readonly Message[];
  readonly byTopic: { topic: string; messages: Message[] }[];
}

export function topicMessages(records: readonly ProducerRecord[]): TopicMessages {
  const messages = records.map(toKafkaJsMessage);
  const byTopic = new Map<string, Message[]>();
  records.forEach((record, index) => {
    const inTopic = byTopic.get(record.topic) ?? [];
    byTopic.set(record.topic, inTopic);
    inTopic.push(messages[index]!);
  });
  return { messages, byTopic: [...byTopic].map(([topic, inTopic]) => ({ topic, messages: inTopic })) };
}

/**
 * One entry per record, in record order: Kafka reports the base offset of each partition's batch, and the
 * records of one batch take consecutive offsets in the order they were sent.
 */
export function recordMetadata(
  records: readonly ProducerRecord[],
  messages: readonly Message[],
  written: readonly KafkaJsRecordMetadata[],
  partitionOf: WeakMap<Message, number>,
): RecordMetadata[] {
  const baseOffsets = new Map<string, number>();
  for (const w of written)
    baseOffsets.set(`${w.topicName}\u0000${w.partition}`, Number(w.baseOffset ?? w.offset ?? -1));
  const nextIndex = new Map<string, number>();
  return records.map(({ topic }, i) => {
    const message = messages[i]!;
    const partition = partitionOf.get(message) ?? message.partition ?? -1;
    const key = `${topic}\u0000${partition}`;
    const index = nextIndex.get(key) ?? 0;
    nextIndex.set(key, index + 1);
    const base = baseOffsets.get(key);
    return { topic, partition, offset: base === undefined || base < 0 ? -1 : base + index };
  });
}

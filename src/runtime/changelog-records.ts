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

export function changelogHeaders(source: RecordSource | undefined): readonly Header[] {
  if (source === undefined) return noHeaders;
  return [
    { key: changelogSourceHeaders.topic, value: Buffer.from(source.topic) },
    { key: changelogSourceHeaders.partition, value: Buffer.from(String(source.partition)) },
    { key: changelogSourceHeaders.offset, value: Buffer.from(String(source.offset)) },
  ];
}

/** The source of a changelog record, or undefined when it has none (or the headers are malformed). */
export function changelogSource(headers: readonly Header[]): RecordSource | undefined {
  let topic: string | undefined;
  let partition = Number.NaN;
  let offset = Number.NaN;
  for (const header of headers) {
    if (header.key === changelogSourceHeaders.topic) topic = header.value.toString();
    else if (header.key === changelogSourceHeaders.partition) partition = Number(header.value.toString());
    else if (header.key === changelogSourceHeaders.offset) offset = Number(header.value.toString());
  }
  if (topic === undefined || !Number.isSafeInteger(partition) || !Number.isSafeInteger(offset)) return undefined;
  return { topic, partition, offset };
}

/** What a timestamp extractor sees: the raw record as consumed, before deserialization. */
export interface ExtractableRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/**
 * Chooses a record's event time (Kafka Streams' TimestampExtractor). `partitionTime` is the largest
 * timestamp seen so far on the record's partition, or -1 before the first record.
 */
export type TimestampExtractor = (record: ExtractableRecord, partitionTime: number) => number;

/** The default: the timestamp in the record (producer's create time or broker's log-append time). */
export const recordTimestamp: TimestampExtractor = (record) => record.timestamp;

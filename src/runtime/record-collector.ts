import type { RecordHeader } from '../processor/stream-record.ts';

/** A serialized record a sink hands over for sending; I/O happens at commit, not here. */
export interface OutgoingRecord {
  readonly topic: string;
  /** Chosen by the sink's partitioner; absent means the Java-compatible key hash decides. */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  readonly timestamp: number;
}

/**
 * Where a task's sinks (and dead-letter routing) put records. The Kafka runtime buffers them for the
 * producer; the TopologyTestDriver appends them to in-memory topics.
 */
export interface RecordCollector {
  send(record: OutgoingRecord): void;
  /** The topic's partition count, for custom partitioners; undefined when unknown. */
  partitionCount(topic: string): number | undefined;
}

/** A header of a record in the processor API (the same shape as the Kafka client port's header). */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer;
}

/**
 * A record as processors see it: typed key and value, a timestamp (event time, milliseconds since the
 * epoch) and headers. Immutable: a processor forwards a new record rather than changing the one it got.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: readonly RecordHeader[];
}

/** Where the record being processed came from; absent for records a punctuator creates. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

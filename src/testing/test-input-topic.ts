import type { RecordHeader } from '../processor/stream-record.ts';
import type { Serializer } from '../serdes/serde.ts';
import type { DriverRecord } from './topology-test-driver.ts';

export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp?: number;
  readonly headers?: readonly RecordHeader[];
}

/** Pipes typed records into one of the driver's topics (Kafka Streams' TestInputTopic). */
export class TestInputTopic<K, V> {
  readonly topic: string;
  readonly #keySerializer: Serializer<K>;
  readonly #valueSerializer: Serializer<V>;
  readonly #pipe: (record: DriverRecord) => void;
  readonly #now: () => number;

  constructor(
    topic: string,
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
    pipe: (record: DriverRecord) => void,
    now: () => number,
  ) {
    this.topic = topic;
    this.#keySerializer = keySerializer;
    this.#valueSerializer = valueSerializer;
    this.#pipe = pipe;
    this.#now = now;
  }

  /** Without a timestamp the record gets the driver's current wall-clock time. */
  pipeInput(key: K, value: V, timestamp?: number, headers: readonly RecordHeader[] = []): void {
    this.#pipe({
      topic: this.topic,
      key: this.#keySerializer.serialize(this.topic, key),
      value: this.#valueSerializer.serialize(this.topic, value),
      headers,
      timestamp: timestamp ?? this.#now(),
    });
  }

  pipeRecordList(records: readonly TestRecord<K, V>[]): void {
    for (const record of records) this.pipeInput(record.key, record.value, record.timestamp, record.headers);
  }

  pipeKeyValueList(records: ReadonlyArray<{ readonly key: K; readonly value: V }>, timestamp?: number): void {
    for (const record of records) this.pipeInput(record.key, record.value, timestamp);
  }
}

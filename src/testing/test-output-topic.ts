import { KStreamsError } from '../errors.ts';
import type { RecordHeader } from '../processor/stream-record.ts';
import type { Deserializer } from '../serdes/serde.ts';
import type { DriverRecord } from './topology-test-driver.ts';

export interface OutputRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: readonly RecordHeader[];
}

export interface OutputKeyValue<K, V> {
  readonly key: K | null;
  readonly value: V | null;
}

/** Reads typed records from one of the driver's topics, each once (Kafka Streams' TestOutputTopic). */
export class TestOutputTopic<K, V> {
  readonly topic: string;
  readonly #keyDeserializer: Deserializer<K>;
  readonly #valueDeserializer: Deserializer<V>;
  readonly #next: () => DriverRecord | undefined;
  readonly #unread: () => number;

  constructor(
    topic: string,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    next: () => DriverRecord | undefined,
    unread: () => number,
  ) {
    this.topic = topic;
    this.#keyDeserializer = keyDeserializer;
    this.#valueDeserializer = valueDeserializer;
    this.#next = next;
    this.#unread = unread;
  }

  /** The next unread record; throws when there is none (so a missing output fails the test clearly). */
  readRecord(): OutputRecord<K, V> {
    const record = this.#next();
    if (record === undefined) {
      throw new KStreamsError('TOPOLOGY_INVALID', `No more records in output topic "${this.topic}".`, {
        hint: 'Check isEmpty() first, or check that the topology writes to this topic.',
      });
    }
    return {
      key: this.#keyDeserializer.deserialize(this.topic, record.key, record.headers),
      value: this.#valueDeserializer.deserialize(this.topic, record.value, record.headers),
      timestamp: record.timestamp,
      headers: record.headers,
    };
  }

  readKeyValue(): OutputKeyValue<K, V> {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readRecordsToList(): OutputRecord<K, V>[] {
    const records: OutputRecord<K, V>[] = [];
    while (!this.isEmpty()) records.push(this.readRecord());
    return records;
  }

  readKeyValuesToList(): OutputKeyValue<K, V>[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  readValuesToList(): Array<V | null> {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** The latest value per key, tombstones removing keys (a table's view of the topic). */
  readKeyValuesToMap(): Map<K | null, V> {
    const table = new Map<K | null, V>();
    for (const { key, value } of this.readRecordsToList()) {
      if (value === null) table.delete(key);
      else table.set(key, value);
    }
    return table;
  }

  getQueueSize(): number {
    return this.#unread();
  }

  isEmpty(): boolean {
    return this.#unread() === 0;
  }
}

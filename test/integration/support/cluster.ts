import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom, timeout } from 'rxjs';
import type { Admin, ConsumedRecord, KafkaClient, ProducerRecord } from '../../../src/kafka/index.ts';
import { createKafkaClient } from '../../../src/kafka/index.ts';
import type { KafkaStreams } from '../../../src/runtime/kafka-streams.ts';
import type { StreamsState } from '../../../src/runtime/streams-state.ts';
import { testBrokers } from '../../setup/kafka-env.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The test harness's own client (produce input, read output, inspect offsets); apps use their adapter. */
export class Cluster {
  readonly client: KafkaClient;
  readonly admin: Admin;
  readonly #topics: string[] = [];

  constructor() {
    this.client = createKafkaClient({ brokers: testBrokers(), clientId: 'integration-harness' });
    this.admin = this.client.admin();
  }

  async createTopic(prefix: string, partitions: number): Promise<string> {
    const name = uniqueName(prefix);
    await this.admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
    this.#topics.push(name);
    return name;
  }

  /** Topics the application created (internal topics), so close() deletes them too. */
  forget(topics: readonly string[]): void {
    this.#topics.push(...topics);
  }

  async produce(records: readonly ProducerRecord[]): Promise<void> {
    const producer = this.client.producer();
    try {
      for (let i = 0; i < records.length; i += 2_000) await producer.send(records.slice(i, i + 2_000));
    } finally {
      await producer.close();
    }
  }

  /** Reads the topic from the beginning until `done(records)` holds or the deadline passes. */
  async readUntil(
    topic: string,
    done: (records: readonly ConsumedRecord[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<ConsumedRecord[]> {
    const [description] = await this.admin.describeTopics([topic]);
    const consumer = this.client.assignedConsumer();
    const records: ConsumedRecord[] = [];
    try {
      await consumer.assign(
        Array.from({ length: description!.partitions }, (_, partition) => ({ topic, partition, offset: 0 })),
      );
      const deadline = Date.now() + timeoutMs;
      while (!done(records) && Date.now() < deadline) {
        records.push(...(await consumer.poll({ maxRecords: 5_000, timeoutMs: 200 })));
      }
      return records;
    } finally {
      await consumer.close();
    }
  }

  /** Committed offsets of the group, as "partition -> next offset". */
  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const offsets = await this.admin.committedOffsets(groupId, [topic]);
    return new Map(offsets.map((o) => [o.partition, o.offset]));
  }

  async endOffsets(topic: string): Promise<Map<number, number>> {
    const [description] = await this.admin.describeTopics([topic]);
    const partitions = Array.from({ length: description!.partitions }, (_, partition) => ({ topic, partition }));
    const offsets = await this.admin.listOffsets(partitions, 'latest');
    return new Map(offsets.map((o) => [o.partition, o.offset]));
  }

  async close(): Promise<void> {
    await this.admin.deleteTopics(this.#topics).catch(() => undefined);
    await this.admin.close();
  }
}

export function waitForState(app: KafkaStreams, state: StreamsState, timeoutMs = 20_000): Promise<StreamsState> {
  return firstValueFrom(
    app.state$.pipe(
      filter((s) => s === state),
      timeout(timeoutMs),
    ),
  );
}

/** Polls `check` until it holds or the deadline passes; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

export function text(buffer: Buffer | null): string {
  return buffer === null ? '' : buffer.toString('utf8');
}

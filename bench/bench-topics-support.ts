import { KStreamsError } from '../src/errors.ts';
import type { AdapterName, Admin, KafkaClient, TopicPartition, TopicPartitionOffset } from '../src/kafka/index.ts';
import { loadInput } from './pipe-load-support.ts';
import { formatCount } from './results-support.ts';

export const benchPartitions = 6;

export function failCheck(message: string): KStreamsError {
  return new KStreamsError('KAFKA_PRODUCE_FAILED', `Correctness check failed: ${message}`, {
    hint: 'The run lost or duplicated records or committed wrong offsets; it is not valid.',
  });
}

/**
 * The topics and groups one benchmark invocation creates, so they are all deleted at the end (also after
 * a failure or Ctrl-C), plus the counts and offsets the correctness checks read.
 */
export class BenchTopics {
  readonly admin: Admin;
  readonly #log: (message: string) => void;
  readonly #topics = new Set<string>();
  readonly #groups = new Set<string>();

  constructor(admin: Admin, log: (message: string) => void) {
    this.admin = admin;
    this.#log = log;
  }

  async create(name: string): Promise<string> {
    await this.admin.createTopics([{ name, partitions: benchPartitions }]);
    this.#topics.add(name);
    return name;
  }

  async drop(name: string): Promise<void> {
    await this.admin.deleteTopics([name]);
    this.#topics.delete(name);
  }

  /** Remembers a consumer group to delete at the end. */
  trackGroup(groupId: string): string {
    this.#groups.add(groupId);
    return groupId;
  }

  async dropGroup(groupId: string): Promise<void> {
    await this.admin.deleteGroups([groupId]);
    this.#groups.delete(groupId);
  }

  partitionsOf(topic: string): TopicPartition[] {
    return Array.from({ length: benchPartitions }, (_, partition) => ({ topic, partition }));
  }

  endOffsets(topic: string): Promise<readonly TopicPartitionOffset[]> {
    return this.admin.listOffsets(this.partitionsOf(topic), 'latest');
  }

  /** Records in the topic: latest minus earliest offset, summed over its partitions. */
  async count(topic: string): Promise<number> {
    const tps = this.partitionsOf(topic);
    const [earliest, latest] = await Promise.all([
      this.admin.listOffsets(tps, 'earliest'),
      this.admin.listOffsets(tps, 'latest'),
    ]);
    const start = new Map(earliest.map((o) => [o.partition, o.offset]));
    return latest.reduce((sum, o) => sum + o.offset - (start.get(o.partition) ?? 0), 0);
  }

  /** The group's committed offsets must be exactly the input's end offsets (Kafka convention: last + 1). */
  async checkCommitted(groupId: string, topic: string, ends: readonly TopicPartitionOffset[]): Promise<void> {
    const committed = new Map(
      (await this.admin.committedOffsets(groupId, [topic])).map((o) => [o.partition, o.offset]),
    );
    for (const end of ends) {
      if (end.offset > 0 && committed.get(end.partition) !== end.offset) {
        throw failCheck(
          `group ${groupId} committed ${committed.get(end.partition) ?? 'nothing'} on partition ${end.partition}, expected ${end.offset}.`,
        );
      }
    }
  }

  /**
   * Creates the input topic and writes `records` benchmark records into it with the adapter's producer,
   * then checks the count. Resolves with the input's end offsets.
   */
  async loadInput(
    topic: string,
    records: number,
    client: KafkaClient,
    adapter: AdapterName,
  ): Promise<readonly TopicPartitionOffset[]> {
    await this.create(topic);
    this.#log(`loading ${formatCount(records)} records into ${topic} (${benchPartitions} partitions, ${adapter})`);
    const start = performance.now();
    const loader = client.producer({ lingerMs: 0 });
    let reported = 0;
    try {
      await loadInput(loader, topic, records, (written) => {
        if (written - reported >= 200_000) {
          reported = written;
          this.#log(`  ${formatCount(written)} written`);
        }
      });
    } finally {
      await loader.close();
    }
    const seconds = (performance.now() - start) / 1000;
    this.#log(`loaded in ${seconds.toFixed(1)} s (${formatCount(records / seconds)} records/s)`);
    const count = await this.count(topic);
    if (count !== records) throw failCheck(`the input ${topic} holds ${count} records, expected ${records}.`);
    return this.endOffsets(topic);
  }

  /** Deletes what is left and closes the admin client; problems are logged, not thrown. */
  async cleanUp(): Promise<void> {
    try {
      if (this.#groups.size > 0)
        await this.admin
          .deleteGroups([...this.#groups])
          .catch((e: unknown) => this.#log(`could not delete groups ${[...this.#groups].join(', ')}: ${String(e)}`));
      if (this.#topics.size > 0)
        await this.admin
          .deleteTopics([...this.#topics])
          .catch((e: unknown) => this.#log(`could not delete topics ${[...this.#topics].join(', ')}: ${String(e)}`));
    } finally {
      await this.admin.close().catch(() => undefined);
    }
  }
}

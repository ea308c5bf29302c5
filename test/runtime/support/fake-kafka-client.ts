import type {
  Admin,
  AssignedConsumer,
  Assignment,
  ConsumedRecord,
  GroupConsumer,
  GroupConsumerOptions,
  KafkaClient,
  Producer,
  ProducerRecord,
  TopicPartition,
  TopicPartitionOffset,
} from '../../../src/kafka/types.ts';

const tp = (p: TopicPartition) => `${p.topic}-${p.partition}`;

/**
 * An in-memory KafkaClient for runtime unit tests: topics exist with given partition counts, the group
 * consumer hands out batches the test pushes, and every call the runtime makes is logged in order.
 */
export class FakeKafkaClient implements KafkaClient {
  readonly adapter = 'platformatic' as const;
  readonly connection = { brokers: ['fake:9092'], clientId: 'fake' };
  readonly log: string[] = [];
  readonly sent: ProducerRecord[] = [];
  readonly topics: Map<string, number>;
  consumer: FakeGroupConsumer | undefined;

  constructor(topics: Record<string, number>) {
    this.topics = new Map(Object.entries(topics));
  }

  producer(): Producer {
    return {
      send: async (records) => {
        this.sent.push(...records);
        return records.map((r, i) => ({ topic: r.topic, partition: r.partition ?? 0, offset: i }));
      },
      beginTransaction: () => Promise.reject(new Error('not supported by the fake')),
      close: async () => {
        this.log.push('producer.close');
      },
    };
  }

  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    this.consumer = new FakeGroupConsumer(options, this);
    return this.consumer;
  }

  /** A restore consumer over empty changelogs: every end offset is 0, so there is nothing to read. */
  assignedConsumer(): AssignedConsumer {
    const log = this.log;
    return {
      endOffsets: async (partitions) => {
        log.push(`restore.endOffsets after ${this.consumer?.polls ?? 0} polls`);
        return partitions.map((p) => ({ ...p, offset: 0 }));
      },
      assign: async () => undefined,
      seek: () => undefined,
      pause: () => undefined,
      poll: async () => [],
      close: async () => undefined,
    };
  }

  admin(): Admin {
    const topics = this.topics;
    const admin: Partial<Admin> = {
      listTopics: async () => [...topics.keys()],
      describeTopics: async (names) =>
        names.map((name) => ({ name, partitions: topics.get(name) ?? 0, replicationFactor: 1 })),
      createTopics: async (list) => {
        for (const topic of list) topics.set(topic.name, topic.partitions);
      },
      listOffsets: async (partitions) => partitions.map((p) => ({ ...p, offset: 0 })),
      close: async () => undefined,
    };
    return admin as Admin;
  }
}

export class FakeGroupConsumer implements GroupConsumer {
  readonly options: GroupConsumerOptions;
  readonly #client: FakeKafkaClient;
  readonly #batches: ConsumedRecord[][] = [];
  readonly #paused = new Map<string, TopicPartition>();
  #assignment: Assignment = { partitions: [], userData: null, generationId: 0, memberId: 'member-1' };
  #rebalanceTo: readonly TopicPartition[] | undefined;
  #wake: (() => void) | undefined;
  /** When set, commits never complete (a broker that stopped answering). */
  hangCommits = false;
  /** Polls made so far. */
  polls = 0;

  constructor(options: GroupConsumerOptions, client: FakeKafkaClient) {
    this.options = options;
    this.#client = client;
  }

  /** Every partition of the subscribed topics, as the Streams assignor would give a lone member. */
  #allPartitions(): TopicPartition[] {
    const counts = new Map(this.options.topics.map((t) => [t, this.#client.topics.get(t) ?? 0]));
    const assignor = this.options.assignor!;
    const assignment = assignor.assign([{ memberId: 'member-1', topics: this.options.topics, userData: null }], counts);
    return [...assignment.get('member-1')!.partitions];
  }

  async connect(): Promise<Assignment> {
    await this.#assign(this.#allPartitions());
    return this.#assignment;
  }

  /** The next poll returns these records. */
  push(records: ConsumedRecord[]): void {
    this.#batches.push(records);
    this.#wake?.();
  }

  /** The next poll revokes everything, then assigns these partitions (default: all again). */
  rebalance(partitions?: readonly TopicPartition[]): void {
    this.#rebalanceTo = partitions ?? this.#allPartitions();
    this.#wake?.();
  }

  async poll(options: { timeoutMs?: number } = {}): Promise<readonly ConsumedRecord[]> {
    this.polls++;
    if (this.#rebalanceTo !== undefined) {
      const next = this.#rebalanceTo;
      this.#rebalanceTo = undefined;
      this.#client.log.push(`revoke ${this.#assignment.partitions.map(tp).join(',')}`);
      await this.options.listener?.onPartitionsRevoked?.(this.#assignment.partitions);
      this.#paused.clear();
      await this.#assign(next);
    }
    const batch = this.#batches.shift();
    if (batch !== undefined) return batch.filter((r) => !this.#paused.has(tp(r)));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(options.timeoutMs ?? 100, 20));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return [];
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.hangCommits) await new Promise(() => undefined);
    this.#client.log.push(`commit ${offsets.map((o) => `${tp(o)}@${o.offset}`).join(',')}`);
  }

  async committed(): Promise<readonly TopicPartitionOffset[]> {
    return [];
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#paused.set(tp(p), p);
    this.#client.log.push(`pause ${partitions.map(tp).join(',')}`);
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#paused.delete(tp(p));
    this.#client.log.push(`resume ${partitions.map(tp).join(',')}`);
  }

  paused(): readonly TopicPartition[] {
    return [...this.#paused.values()];
  }

  seek(): void {}

  assignment(): Assignment {
    return this.#assignment;
  }

  groupMetadata() {
    return { groupId: this.options.groupId, generationId: this.#assignment.generationId, memberId: 'member-1' };
  }

  async close(): Promise<void> {
    this.#client.log.push('consumer.close');
  }

  async #assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.#assignment = { ...this.#assignment, partitions, generationId: this.#assignment.generationId + 1 };
    this.#client.log.push(`assign ${partitions.map(tp).join(',')}`);
    await this.options.listener?.onPartitionsAssigned?.(this.#assignment);
  }
}

export function record(topic: string, offset: number, timestamp: number, value: string): ConsumedRecord {
  return { topic, partition: 0, offset, timestamp, key: Buffer.from('k'), value: Buffer.from(value), headers: [] };
}

import type { Kafka, Admin as KafkaJsAdmin } from 'kafkajs';
import kafkajs from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import type {
  Admin,
  ConnectionOptions,
  GroupDescription,
  NewTopic,
  OffsetSpec,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { decodeMemberAssignment, decodeMemberSubscription } from './consumer-protocol.ts';
import { type ErrorContext, mapErrors, topicNotFound } from './kafkajs-errors.ts';

export class KafkaJsAdminAdapter implements Admin {
  readonly #connection: ConnectionOptions;
  readonly #admin: KafkaJsAdmin;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(kafka: Kafka, connection: ConnectionOptions) {
    this.#connection = connection;
    this.#admin = kafka.admin();
  }

  async createTopics(topics: readonly NewTopic[], options?: { readonly ignoreExisting?: boolean }): Promise<void> {
    const names = topics.map((t) => t.name);
    await this.#run('create topics', names, async () => {
      const existing = new Set(await this.#admin.listTopics());
      const present = names.filter((name) => existing.has(name));
      if (present.length > 0 && options?.ignoreExisting !== true) throw topicExists(present);
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      const created = await this.#admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      // false: kafkajs saw TOPIC_ALREADY_EXISTS, so someone created one of them meanwhile.
      if (!created && options?.ignoreExisting !== true) throw topicExists(missing.map((t) => t.name));
    });
  }

  describeTopics(names: readonly string[]): Promise<readonly TopicDescription[]> {
    return this.#run('describe topics', names, async () => {
      await this.#requireTopics(names);
      const { topics } = await this.#admin.fetchTopicMetadata({ topics: [...names] });
      return names.map((name) => {
        const topic = topics.find((t) => t.name === name);
        if (topic === undefined) throw topicNotFound(name);
        return {
          name,
          partitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
        };
      });
    });
  }

  describeTopicConfig(name: string): Promise<Readonly<Record<string, string>>> {
    return this.#run(`describe the configuration of topic ${name}`, [name], async () => {
      await this.#requireTopics([name]);
      const { resources } = await this.#admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name }],
      });
      const config: Record<string, string> = {};
      for (const entry of resources[0]?.configEntries ?? []) {
        if (entry.configValue !== null) config[entry.configName] = entry.configValue;
      }
      return config;
    });
  }

  listTopics(): Promise<readonly string[]> {
    return this.#run('list topics', undefined, () => this.#admin.listTopics());
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    return this.#run('delete topics', names, () => this.#admin.deleteTopics({ topics: [...names] }));
  }

  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<readonly TopicPartitionOffset[]> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    return this.#run('list offsets', topics, async () => {
      const byTopic = new Map<string, Map<number, number>>();
      for (const topic of topics) {
        const offsets = await this.#admin.fetchTopicOffsets(topic);
        byTopic.set(topic, new Map(offsets.map((o) => [o.partition, Number(spec === 'earliest' ? o.low : o.high)])));
      }
      return partitions.map(({ topic, partition }) => {
        const offset = byTopic.get(topic)?.get(partition);
        if (offset === undefined) throw topicNotFound(`${topic} (partition ${partition})`);
        return { topic, partition, offset };
      });
    });
  }

  describeGroups(groupIds: readonly string[]): Promise<readonly GroupDescription[]> {
    return this.#run('describe consumer groups', undefined, async () => {
      const { groups } = await this.#admin.describeGroups([...groupIds]);
      return groups.map((group) => ({
        groupId: group.groupId,
        state: group.state,
        protocol: group.protocol,
        members: group.members.map((member) => {
          const assignment = decodeMemberAssignment(member.memberAssignment);
          return {
            memberId: member.memberId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            subscriptionUserData: decodeMemberSubscription(member.memberMetadata)?.userData ?? null,
            assignment: assignment?.partitions ?? [],
            assignmentUserData: assignment?.userData ?? null,
          };
        }),
      }));
    });
  }

  committedOffsets(groupId: string, topics: readonly string[]): Promise<readonly TopicPartitionOffset[]> {
    return this.#run(`read the committed offsets of group ${groupId}`, topics, async () => {
      const offsets = await this.#admin.fetchOffsets({ groupId, topics: [...topics] });
      return offsets.flatMap(({ topic, partitions }) =>
        partitions
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
      );
    });
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return this.#run('delete consumer groups', undefined, async () => {
      await this.#admin.deleteGroups([...groupIds]);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#admin.disconnect().catch(() => undefined);
  }

  async #requireTopics(names: readonly string[]): Promise<void> {
    const existing = new Set(await this.#admin.listTopics());
    const missing = names.find((name) => !existing.has(name));
    if (missing !== undefined) throw topicNotFound(missing);
  }

  async #run<T>(operation: string, topics: readonly string[] | undefined, call: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new KStreamsError('KAFKA_CLIENT_CLOSED', 'The admin client is closed.', {
        hint: 'Create a new admin client.',
      });
    }
    const context: ErrorContext = {
      connection: this.#connection,
      operation,
      fallback: 'KAFKA_ADMIN_FAILED',
      ...(topics === undefined ? {} : { topics }),
    };
    return mapErrors(context, async () => {
      this.#connecting ??= this.#admin.connect();
      try {
        await this.#connecting;
      } catch (error) {
        this.#connecting = undefined;
        throw error;
      }
      return call();
    });
  }
}

function topicExists(names: readonly string[]): KStreamsError {
  return new KStreamsError('KAFKA_TOPIC_EXISTS', `Topic ${names.join(', ')} already exists.`, {
    hint: 'Pass { ignoreExisting: true } to accept existing topics, or choose another name.',
  });
}

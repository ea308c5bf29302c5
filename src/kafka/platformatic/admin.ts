import {
  ConfigResourceTypes,
  type Connection,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  describeGroupsV5,
  Admin as LibraryAdmin,
  ListOffsetTimestamps,
} from '@platformatic/kafka';
import { KStreamsError } from '../../errors.ts';
import type {
  Admin,
  ConnectionOptions,
  GroupDescription,
  GroupMemberDescription,
  NewTopic,
  OffsetSpec,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { coordinatorConnection } from './coordinator.ts';
import { hasProtocolError, mapErrors } from './error-mapping.ts';
import { nonEmpty } from './group-membership.ts';
import { fetchGroupOffsets, type GroupCoordinator } from './group-offsets.ts';
import { baseOptions, platformaticDefaults } from './options.ts';

export function createPlatformaticAdmin(connection: ConnectionOptions): Admin {
  return new PlatformaticAdmin(connection);
}

class PlatformaticAdmin implements Admin {
  readonly #connection: ConnectionOptions;
  readonly #library: LibraryAdmin;

  constructor(connection: ConnectionOptions) {
    this.#connection = connection;
    this.#library = new LibraryAdmin(baseOptions(connection, 'admin'));
  }

  async createTopics(topics: readonly NewTopic[], options: { readonly ignoreExisting?: boolean } = {}): Promise<void> {
    // One request per topic: the library applies one config list to every topic of a request.
    for (const topic of topics) {
      await mapErrors(this.#connection, 'admin', { operation: 'createTopics', topics: [topic.name] }, async () => {
        try {
          await this.#library.createTopics({
            topics: [topic.name],
            partitions: topic.partitions,
            replicas: topic.replicationFactor ?? -1,
            configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (error) {
          if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
          if (options.ignoreExisting) return;
          throw new KStreamsError('KAFKA_TOPIC_EXISTS', `Topic "${topic.name}" already exists.`, {
            hint: 'Use another name, delete the topic first, or pass ignoreExisting.',
            cause: error,
          });
        }
      });
    }
  }

  describeTopics(names: readonly string[]): Promise<readonly TopicDescription[]> {
    return mapErrors(this.#connection, 'admin', { operation: 'describeTopics', topics: names }, async () => {
      const metadata = await this.#library.metadata({ topics: [...names], forceUpdate: true });
      return names.map((name) => {
        const topic = metadata.topics.get(name);
        if (!topic) throw new Error(`Unknown topic ${name}.`);
        return {
          name,
          partitions: topic.partitionsCount,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
        };
      });
    });
  }

  describeTopicConfig(name: string): Promise<Readonly<Record<string, string>>> {
    return mapErrors(this.#connection, 'admin', { operation: 'describeTopicConfig', topics: [name] }, async () => {
      const [description] = await this.#library.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name }],
      });
      const config: Record<string, string> = {};
      for (const entry of description?.configs ?? []) {
        if (entry.value !== null && entry.value !== undefined) config[entry.name] = entry.value;
      }
      return config;
    });
  }

  listTopics(): Promise<readonly string[]> {
    return mapErrors(this.#connection, 'admin', { operation: 'listTopics' }, () => this.#library.listTopics());
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    return mapErrors(this.#connection, 'admin', { operation: 'deleteTopics', topics: names }, () =>
      this.#library.deleteTopics({ topics: [...names] }),
    );
  }

  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<readonly TopicPartitionOffset[]> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    return mapErrors(this.#connection, 'admin', { operation: 'listOffsets', topics }, async () => {
      const timestamp = spec === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST;
      const listed = await this.#library.listOffsets({
        topics: topics.map((name) => ({
          name,
          partitions: partitions
            .filter((p) => p.topic === name)
            .map((p) => ({ partitionIndex: p.partition, timestamp })),
        })),
      });
      const found = new Map<string, number>();
      for (const topic of listed) {
        for (const p of topic.partitions) found.set(`${topic.name}:${p.partitionIndex}`, Number(p.offset));
      }
      return partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: found.get(`${topic}:${partition}`) ?? -1,
      }));
    });
  }

  /** Read with DescribeGroups directly: the library's describeGroups drops the assignment user data. */
  describeGroups(groupIds: readonly string[]): Promise<readonly GroupDescription[]> {
    return mapErrors(this.#connection, 'admin', { operation: 'describeGroups' }, async () => {
      const descriptions: GroupDescription[] = [];
      for (const groupId of groupIds) {
        const connection = await coordinatorConnection(this.#library, groupId, 'group');
        const response = await describeGroupsV5.api.async(connection, [groupId], false);
        for (const group of response.groups) {
          descriptions.push({
            groupId: group.groupId,
            state: group.groupState,
            protocol: group.protocolData,
            members: group.members.map((member): GroupMemberDescription => {
              const consumer = group.protocolType === 'consumer';
              const subscription =
                consumer && member.memberMetadata.length > 0
                  ? decodeConsumerProtocolSubscription(member.memberMetadata)
                  : undefined;
              const assignment =
                consumer && member.memberAssignment.length > 0
                  ? decodeConsumerProtocolAssignment(member.memberAssignment)
                  : undefined;
              return {
                memberId: member.memberId,
                clientId: member.clientId,
                clientHost: member.clientHost,
                subscriptionUserData: nonEmpty(subscription?.userData),
                assignment: (assignment?.assignedPartitions ?? []).flatMap(({ topic, partitions }) =>
                  partitions.map((partition) => ({ topic, partition })),
                ),
                assignmentUserData: nonEmpty(assignment?.userData),
              };
            }),
          });
        }
      }
      return descriptions;
    });
  }

  committedOffsets(groupId: string, topics: readonly string[]): Promise<readonly TopicPartitionOffset[]> {
    return mapErrors(this.#connection, 'admin', { operation: 'committedOffsets', groupId, topics }, async () => {
      let coordinator: Promise<Connection> | undefined;
      const group: GroupCoordinator = {
        groupId,
        coordinator: () => {
          coordinator ??= coordinatorConnection(this.#library, groupId, 'group');
          return coordinator;
        },
        noteError: () => {
          coordinator = undefined;
        },
      };
      const timeoutMs = this.#connection.requestTimeoutMs ?? platformaticDefaults.requestTimeoutMs;
      // Naming the partitions matters: only then does requireStable make the broker answer
      // UNSTABLE_OFFSET_COMMIT (and this loop wait) while a transaction's offsets are being committed.
      const metadata = await this.#library.metadata({ topics: [...topics] }).catch(() => undefined);
      const partitions = metadata
        ? topics.flatMap((topic) =>
            Array.from({ length: metadata.topics.get(topic)?.partitionsCount ?? 0 }, (_, partition) => ({
              topic,
              partition,
            })),
          )
        : null;
      const committed = await fetchGroupOffsets(group, partitions, timeoutMs);
      const wanted = new Set(topics);
      const offsets: TopicPartitionOffset[] = [];
      for (const [key, offset] of committed) {
        const separator = key.lastIndexOf(':');
        const topic = key.slice(0, separator);
        if (wanted.has(topic)) offsets.push({ topic, partition: Number(key.slice(separator + 1)), offset });
      }
      return offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    });
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return Promise.resolve();
    return mapErrors(this.#connection, 'admin', { operation: 'deleteGroups' }, () =>
      this.#library.deleteGroups({ groups: [...groupIds] }),
    );
  }

  close(): Promise<void> {
    return this.#library.close();
  }
}

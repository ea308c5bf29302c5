import {
  type Connection,
  type Consumer,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  heartbeatV3,
  joinGroupV5,
  leaveGroupV3,
  syncGroupV3,
} from '@platformatic/kafka';
import { isKStreamsError, KStreamsError } from '../../errors.ts';
import type { Assignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../types.ts';
import { coordinatorConnection } from './coordinator.ts';
import { protocolErrorId } from './error-mapping.ts';

export interface MembershipOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly assignor: PartitionAssignor;
}

const coordinatorErrors = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'];
const rejoinErrors = ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'MEMBER_ID_REQUIRED'];

/**
 * Classic consumer-group membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) spoken directly with
 * the library's protocol API functions rather than through its Consumer, because the Consumer cannot
 * carry what kstreams needs: it encodes one static `assignmentUserData` for every member, skips the
 * assigner when a member is alone, and rejoins inside its heartbeat without a point where a revocation
 * callback can be awaited. Here the leader runs the port's `PartitionAssignor.assign()` for every
 * generation (also for a single member) and sends each member its own assignment user data.
 */
export class GroupMembership {
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #options: MembershipOptions;
  #coordinator: Promise<Connection> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #joining = false;
  memberId = '';
  generationId = -1;

  constructor(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, options: MembershipOptions) {
    this.#consumer = consumer;
    this.#options = options;
  }

  get groupId(): string {
    return this.#options.groupId;
  }

  coordinator(): Promise<Connection> {
    this.#coordinator ??= coordinatorConnection(this.#consumer, this.#options.groupId, 'group').catch(
      (error: unknown) => {
        this.#coordinator = undefined;
        throw error;
      },
    );
    return this.#coordinator;
  }

  /** Forgets the coordinator after an error that says it moved. */
  noteError(error: unknown): void {
    const id = protocolErrorId(error);
    if (id === undefined || coordinatorErrors.includes(id)) this.#coordinator = undefined;
    if (id === 'UNKNOWN_MEMBER_ID') this.memberId = '';
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<Assignment> {
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs, topics, assignor } = this.#options;
    const deadline = Date.now() + rebalanceTimeoutMs + sessionTimeoutMs;
    this.#joining = true;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const connection = await this.coordinator();
          const subscription = encodeConsumerProtocolSubscription({
            version: 0,
            topics: [...topics],
            userData: assignor.subscriptionUserData(topics) ?? undefined,
          });
          const joined = await joinGroupV5.api.async(
            connection,
            groupId,
            sessionTimeoutMs,
            rebalanceTimeoutMs,
            this.memberId,
            null,
            'consumer',
            [{ name: assignor.name, metadata: subscription }],
            null,
          );
          this.memberId = joined.memberId;
          this.generationId = joined.generationId;
          const protocol = joined.protocolName ?? assignor.name;
          const assignments = joined.leader === joined.memberId ? await this.#assign(joined.members) : [];
          const synced = await syncGroupV3.api.async(
            connection,
            groupId,
            this.generationId,
            this.memberId,
            null,
            'consumer',
            protocol,
            assignments,
          );
          return this.#decodeAssignment(synced.assignment);
        } catch (error) {
          // The leader's assignor refusing a member's user data will not change by retrying.
          if (isKStreamsError(error, 'KAFKA_UNSUPPORTED')) throw error;
          const id = protocolErrorId(error);
          if (id === 'MEMBER_ID_REQUIRED') {
            this.memberId = (error as { response?: { memberId?: string } }).response?.memberId ?? '';
          } else {
            this.noteError(error);
          }
          const retriable = id === undefined || rejoinErrors.includes(id) || coordinatorErrors.includes(id);
          if (!retriable || Date.now() > deadline) throw error;
          if (id !== 'MEMBER_ID_REQUIRED' && id !== 'REBALANCE_IN_PROGRESS') {
            await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
          }
        }
      }
    } finally {
      this.#joining = false;
    }
  }

  /** Heartbeats until stopped; `onRejoinNeeded` fires when the coordinator asks for a rebalance. */
  startHeartbeats(onRejoinNeeded: () => void): void {
    this.stopHeartbeats();
    const beat = async () => {
      if (!this.#joining && this.memberId !== '') {
        try {
          const connection = await this.coordinator();
          await heartbeatV3.api.async(connection, this.#options.groupId, this.generationId, this.memberId, null);
        } catch (error) {
          this.noteError(error);
          const id = protocolErrorId(error);
          if (!this.#joining && id !== undefined && rejoinErrors.includes(id)) onRejoinNeeded();
        }
      }
      if (this.#heartbeat) this.#heartbeat = setTimeout(beat, this.#options.heartbeatIntervalMs);
    };
    this.#heartbeat = setTimeout(beat, this.#options.heartbeatIntervalMs);
  }

  stopHeartbeats(): void {
    clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async leave(): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '') return;
    const memberId = this.memberId;
    this.memberId = '';
    this.generationId = -1;
    try {
      const connection = await this.coordinator();
      await leaveGroupV3.api.async(connection, this.#options.groupId, [{ memberId }]);
    } catch {
      // Leaving is a courtesy: the session timeout removes the member anyway.
    }
  }

  /** Runs on the leader: the port's assignor decides, each member gets its own user data. */
  async #assign(members: readonly { memberId: string; metadata: Buffer }[]) {
    const subscriptions: MemberSubscription[] = members.map((member) => {
      const decoded = decodeConsumerProtocolSubscription(member.metadata);
      return { memberId: member.memberId, topics: decoded.topics, userData: nonEmpty(decoded.userData) };
    });
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const metadata = await this.#consumer.metadata({ topics });
    const partitionCounts = new Map<string, number>();
    for (const topic of topics) {
      const count = metadata.topics.get(topic)?.partitionsCount;
      if (count === undefined) {
        throw new KStreamsError(
          'KAFKA_TOPIC_NOT_FOUND',
          `Topic "${topic}" of group "${this.groupId}" does not exist.`,
          {
            hint: `Create the topic "${topic}" before starting the consumers that subscribe to it.`,
          },
        );
      }
      partitionCounts.set(topic, count);
    }
    const result = this.#options.assignor.assign(subscriptions, partitionCounts);
    return subscriptions.map(({ memberId }) => {
      const own = result.get(memberId);
      return {
        memberId,
        assignment: encodeConsumerProtocolAssignment({
          version: 0,
          assignedPartitions: groupByTopic(own?.partitions ?? []),
          userData: own?.userData ?? null,
        }),
      };
    });
  }

  #decodeAssignment(buffer: Buffer): Assignment {
    const decoded = decodeConsumerProtocolAssignment(buffer);
    return {
      partitions: decoded.assignedPartitions.flatMap(({ topic, partitions }) =>
        partitions.map((partition) => ({ topic, partition })),
      ),
      userData: nonEmpty(decoded.userData),
      generationId: this.generationId,
      memberId: this.memberId,
    };
  }
}

export function nonEmpty(buffer: Buffer | null | undefined): Buffer | null {
  return buffer && buffer.length > 0 ? buffer : null;
}

function groupByTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

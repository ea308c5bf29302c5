import {
  type Connection,
  type Consumer,
  ListOffsetTimestamps,
  offsetCommitV7,
  offsetFetchV7,
} from '@platformatic/kafka';
import { KStreamsError } from '../../errors.ts';
import type { IsolationLevel, OffsetReset, TopicPartition, TopicPartitionOffset } from '../types.ts';
import { protocolErrorId } from './error-mapping.ts';
import type { GroupMembership } from './group-membership.ts';
import { offsetsByTopic } from './offsets-by-topic.ts';

/** Commits offsets (next offset to read) with the member's generation, so a stale member is rejected. */
export async function commitGroupOffsets(
  membership: GroupMembership,
  offsets: readonly TopicPartitionOffset[],
): Promise<void> {
  if (offsets.length === 0) return;
  const byTopic = offsetsByTopic(offsets);
  try {
    const connection = await membership.coordinator();
    await offsetCommitV7.api.async(
      connection,
      membership.groupId,
      membership.generationId,
      membership.memberId,
      null,
      [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    );
  } catch (error) {
    membership.noteError(error);
    throw error;
  }
}

/** Where a group's coordinator is; GroupMembership is one, the admin makes its own. */
export interface GroupCoordinator {
  readonly groupId: string;
  coordinator(): Promise<Connection>;
  noteError(error: unknown): void;
}

/**
 * The group's committed offsets ("topic:partition" -> offset) for the given partitions, or for all its
 * partitions when `partitions` is null. Asked with requireStable and retried while a transaction that
 * commits offsets is pending, so a new owner never starts behind a committing transaction.
 */
export async function fetchGroupOffsets(
  group: GroupCoordinator,
  partitions: readonly TopicPartition[] | null,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (partitions?.length === 0) return result;
  let topics: { name: string; partitionIndexes: number[] }[] | null = null;
  if (partitions) {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await group.coordinator();
      const response = await offsetFetchV7.api.async(
        connection,
        [{ groupId: group.groupId, memberEpoch: -1, topics }],
        true,
      );
      for (const topic of response.topics) {
        for (const p of topic.partitions) {
          if (p.committedOffset >= 0n) result.set(`${topic.name}:${p.partitionIndex}`, Number(p.committedOffset));
        }
      }
      return result;
    } catch (error) {
      group.noteError(error);
      const id = protocolErrorId(error);
      const retriable =
        id === 'UNSTABLE_OFFSET_COMMIT' ||
        id === 'COORDINATOR_LOAD_IN_PROGRESS' ||
        id === 'NOT_COORDINATOR' ||
        id === 'COORDINATOR_NOT_AVAILABLE';
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Offsets from the log's start or end, for partitions without a usable position. */
export async function resetPositions(
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
  partitions: readonly TopicPartition[],
  reset: OffsetReset,
  isolationLevel: IsolationLevel,
): Promise<TopicPartitionOffset[]> {
  if (partitions.length === 0) return [];
  if (reset === 'none') {
    const first = partitions[0]!;
    throw new KStreamsError(
      'KAFKA_CONSUME_FAILED',
      `No committed (or valid) offset for ${first.topic}-${first.partition} and offsetReset is "none".`,
      { hint: 'Commit a start offset for the group first, or use offsetReset "earliest" or "latest".' },
    );
  }
  return listOffsets(consumer, partitions, reset, isolationLevel);
}

/** Earliest or latest (high watermark; last stable offset under read_committed) offsets. */
export async function listOffsets(
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
  partitions: readonly TopicPartition[],
  spec: 'earliest' | 'latest',
  isolationLevel: IsolationLevel,
): Promise<TopicPartitionOffset[]> {
  if (partitions.length === 0) return [];
  const byTopic: Record<string, number[]> = {};
  for (const { topic, partition } of partitions) byTopic[topic] = [...(byTopic[topic] ?? []), partition];
  const offsets = await consumer.listOffsets({
    topics: Object.keys(byTopic),
    partitions: byTopic,
    timestamp: spec === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
    isolationLevel: isolationLevel === 'read_committed' ? 1 : 0,
  });
  return partitions.map(({ topic, partition }) => ({
    topic,
    partition,
    offset: Number(offsets.get(topic)?.[partition] ?? 0n),
  }));
}

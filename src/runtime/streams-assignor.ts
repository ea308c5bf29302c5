import type { MemberAssignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../kafka/types.ts';
import type { TaskId } from '../processor/processor-context.ts';

/** The source topics of one sub-topology, as the consumer subscribes to them (internal topics resolved). */
export interface SubtopologyTopics {
  readonly subtopology: number;
  readonly topics: readonly string[];
}

/** What a member says about itself when joining; versioned so later fields (endpoint, lags) can be added. */
export interface StreamsSubscriptionInfo {
  readonly version: 1;
  /** Tasks this member ran before the rebalance: the input for sticky assignment. */
  readonly previousTasks: readonly string[];
}

/** What the leader tells a member besides its partitions (Kafka Streams' AssignmentInfo). */
export interface StreamsAssignmentInfo {
  readonly version: 1;
  /** The member's active tasks, as `<subtopology>_<partition>`. */
  readonly activeTasks: readonly string[];
}

export const streamsAssignorName = 'kstreams';

export function taskName(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/**
 * Kafka Streams' partition assignment for the group: one task per (sub-topology, partition); partition p
 * of every source topic of a sub-topology goes to the member that owns task p of it, so co-partitioned
 * topics meet in one task. Tasks are dealt round-robin over the members sorted by member id.
 * Sticky placement and standby tasks arrive later: previous tasks already travel in the subscription.
 */
export class StreamsAssignor implements PartitionAssignor {
  readonly name = streamsAssignorName;
  readonly #subtopologies: readonly SubtopologyTopics[];
  readonly #previousTasks: () => readonly TaskId[];

  constructor(subtopologies: readonly SubtopologyTopics[], previousTasks: () => readonly TaskId[] = () => []) {
    this.#subtopologies = subtopologies;
    this.#previousTasks = previousTasks;
  }

  subscriptionUserData(): Buffer | null {
    return encodeSubscriptionInfo({ version: 1, previousTasks: this.#previousTasks().map(taskName) });
  }

  assign(
    members: readonly MemberSubscription[],
    partitionCounts: ReadonlyMap<string, number>,
  ): ReadonlyMap<string, MemberAssignment> {
    const tasks = tasksFor(this.#subtopologies, partitionCounts);
    const memberIds = members.map((m) => m.memberId).sort();
    const owned = new Map<string, TaskId[]>(memberIds.map((id) => [id, []]));
    tasks.forEach((task, i) => {
      if (memberIds.length > 0) owned.get(memberIds[i % memberIds.length]!)!.push(task);
    });
    const assignments = new Map<string, MemberAssignment>();
    for (const [memberId, memberTasks] of owned) {
      assignments.set(memberId, {
        partitions: memberTasks.flatMap((task) => partitionsOf(task, this.#subtopologies, partitionCounts)),
        userData: encodeAssignmentInfo({ version: 1, activeTasks: memberTasks.map(taskName) }),
      });
    }
    return assignments;
  }
}

/** Every task of the topology: a sub-topology has as many tasks as its largest source topic has partitions. */
export function tasksFor(
  subtopologies: readonly SubtopologyTopics[],
  partitionCounts: ReadonlyMap<string, number>,
): readonly TaskId[] {
  const tasks: TaskId[] = [];
  for (const { subtopology, topics } of [...subtopologies].sort((a, b) => a.subtopology - b.subtopology)) {
    const count = Math.max(0, ...topics.map((topic) => partitionCounts.get(topic) ?? 0));
    for (let partition = 0; partition < count; partition++) tasks.push({ subtopology, partition });
  }
  return tasks;
}

function partitionsOf(
  task: TaskId,
  subtopologies: readonly SubtopologyTopics[],
  partitionCounts: ReadonlyMap<string, number>,
): TopicPartition[] {
  const topics = subtopologies.find((s) => s.subtopology === task.subtopology)?.topics ?? [];
  return topics
    .filter((topic) => (partitionCounts.get(topic) ?? 0) > task.partition)
    .map((topic) => ({ topic, partition: task.partition }));
}

export function encodeSubscriptionInfo(info: StreamsSubscriptionInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

/** Undefined for missing or foreign user data (a member of another version or a plain consumer). */
export function decodeSubscriptionInfo(data: Buffer | null): StreamsSubscriptionInfo | undefined {
  const parsed = parseVersioned(data);
  return parsed !== undefined && Array.isArray(parsed.previousTasks)
    ? { version: 1, previousTasks: parsed.previousTasks.filter((t): t is string => typeof t === 'string') }
    : undefined;
}

export function encodeAssignmentInfo(info: StreamsAssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

export function decodeAssignmentInfo(data: Buffer | null): StreamsAssignmentInfo | undefined {
  const parsed = parseVersioned(data);
  return parsed !== undefined && Array.isArray(parsed.activeTasks)
    ? { version: 1, activeTasks: parsed.activeTasks.filter((t): t is string => typeof t === 'string') }
    : undefined;
}

function parseVersioned(data: Buffer | null): Record<string, unknown> | undefined {
  if (data === null || data.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === 1
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

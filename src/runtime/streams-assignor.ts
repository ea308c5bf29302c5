import type { MemberAssignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../kafka/types.ts';
import type { TaskId } from '../processor/processor-context.ts';
import {
  decodeSubscriptionInfo,
  encodeAssignmentInfo,
  encodeSubscriptionInfo,
  type HostAssignment,
} from './assignment-info.ts';
import { assignTasksSticky, type MemberTaskClaims } from './sticky-task-assignment.ts';

/** The source topics of one sub-topology, as the consumer subscribes to them (internal topics resolved). */
export interface SubtopologyTopics {
  readonly subtopology: number;
  readonly topics: readonly string[];
}

/** What this member advertises at every join; each function is asked anew then. */
export interface LocalMemberInfo {
  /** The tasks this member ran until the rebalance. */
  readonly previousTasks?: () => readonly TaskId[];
  /** The tasks with local state in this member's state directory, as `<subtopology>_<partition>`. */
  readonly stateTasks?: () => readonly string[];
  /** This member's `application.server`. */
  readonly endpoint?: string;
}

export const streamsAssignorName = 'kstreams';

export function taskName(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/**
 * Kafka Streams' partition assignment for the group: one task per (sub-topology, partition); partition p
 * of every source topic of a sub-topology goes to the member that owns task p of it, so co-partitioned
 * topics meet in one task. Tasks are placed sticky and balanced (see assignTasksSticky). Every member's
 * user data carries the whole group's endpoint -> tasks map, for interactive queries.
 */
export class StreamsAssignor implements PartitionAssignor {
  readonly name = streamsAssignorName;
  readonly #subtopologies: readonly SubtopologyTopics[];
  readonly #local: LocalMemberInfo;

  constructor(subtopologies: readonly SubtopologyTopics[], local: LocalMemberInfo = {}) {
    this.#subtopologies = subtopologies;
    this.#local = local;
  }

  subscriptionUserData(): Buffer | null {
    const { previousTasks, stateTasks, endpoint } = this.#local;
    return encodeSubscriptionInfo({
      activeTasks: (previousTasks?.() ?? []).map(taskName),
      stateTasks: [...(stateTasks?.() ?? [])],
      ...(endpoint === undefined ? {} : { endpoint }),
    });
  }

  assign(
    members: readonly MemberSubscription[],
    partitionCounts: ReadonlyMap<string, number>,
  ): ReadonlyMap<string, MemberAssignment> {
    const tasks = tasksFor(this.#subtopologies, partitionCounts);
    const taskIds = new Map(tasks.map((task) => [taskName(task), task]));
    const endpoints = new Map<string, string>();
    const claims: MemberTaskClaims[] = members.map(({ memberId, userData }) => {
      const info = decodeSubscriptionInfo(userData, memberId);
      if (info?.endpoint !== undefined) endpoints.set(memberId, info.endpoint);
      return {
        memberId,
        activeTasks: new Set(info?.activeTasks ?? []),
        stateTasks: new Set(info?.stateTasks ?? []),
      };
    });
    const owned = assignTasksSticky([...taskIds.keys()], claims);
    const partitionsOfTasks = (names: readonly string[]) =>
      names.flatMap((name) => partitionsOf(taskIds.get(name)!, this.#subtopologies, partitionCounts));
    const hosts = hostAssignments(owned, endpoints, partitionsOfTasks);
    const assignments = new Map<string, MemberAssignment>();
    for (const [memberId, memberTasks] of owned) {
      assignments.set(memberId, {
        partitions: partitionsOfTasks(memberTasks),
        userData: encodeAssignmentInfo({ activeTasks: memberTasks, hosts }),
      });
    }
    return assignments;
  }
}

/** Members advertising one endpoint (a restarted process and its not yet expired predecessor) share it. */
function hostAssignments(
  owned: ReadonlyMap<string, readonly string[]>,
  endpoints: ReadonlyMap<string, string>,
  partitionsOfTasks: (names: readonly string[]) => TopicPartition[],
): HostAssignment[] {
  const tasksByEndpoint = new Map<string, string[]>();
  for (const [memberId, tasks] of owned) {
    const endpoint = endpoints.get(memberId);
    if (endpoint === undefined) continue;
    tasksByEndpoint.set(endpoint, [...(tasksByEndpoint.get(endpoint) ?? []), ...tasks]);
  }
  return [...tasksByEndpoint]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([endpoint, tasks]) => ({ endpoint, tasks, partitions: partitionsOfTasks(tasks) }));
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

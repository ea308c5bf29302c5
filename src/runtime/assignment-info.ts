import { KStreamsError } from '../errors.ts';
import type { TopicPartition } from '../kafka/types.ts';

/**
 * The user data of the Streams assignor on the wire: one version byte, then UTF-8 JSON. A member or leader
 * of another version fails with a clear error instead of misreading the data.
 */
export const assignmentInfoVersion = 2;

/** What a member says about itself when joining (Kafka Streams' SubscriptionInfo). */
export interface StreamsSubscriptionInfo {
  /** Tasks this member ran before the rebalance, as `<subtopology>_<partition>`: kept when balance allows. */
  readonly activeTasks: readonly string[];
  /** Tasks with local state under this member's state directory: preferred when a task must move. */
  readonly stateTasks: readonly string[];
  /** The member's `application.server` (`host:port`), when it has one. */
  readonly endpoint?: string;
}

/** One advertised endpoint and what runs behind it. */
export interface HostAssignment {
  readonly endpoint: string;
  readonly tasks: readonly string[];
  readonly partitions: readonly TopicPartition[];
}

/** What the leader tells a member besides its partitions (Kafka Streams' AssignmentInfo). */
export interface StreamsAssignmentInfo {
  /** The member's active tasks. */
  readonly activeTasks: readonly string[];
  /** Every endpoint of the group with its tasks and source partitions, sorted by endpoint. */
  readonly hosts: readonly HostAssignment[];
}

export function encodeSubscriptionInfo(info: StreamsSubscriptionInfo): Buffer {
  return encodeVersioned(info);
}

/** Undefined when the member sent no user data (a plain consumer); throws on another version. */
export function decodeSubscriptionInfo(data: Buffer | null, memberId: string): StreamsSubscriptionInfo | undefined {
  const parsed = decodeVersioned(data, `The subscription of member "${memberId}"`);
  if (parsed === undefined) return undefined;
  const endpoint = typeof parsed.endpoint === 'string' ? parsed.endpoint : undefined;
  return {
    activeTasks: stringsOf(parsed.activeTasks),
    stateTasks: stringsOf(parsed.stateTasks),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

export function encodeAssignmentInfo(info: StreamsAssignmentInfo): Buffer {
  return encodeVersioned(info);
}

/** Undefined when the assignment has no user data (not made by the Streams assignor); throws on another version. */
export function decodeAssignmentInfo(data: Buffer | null): StreamsAssignmentInfo | undefined {
  const parsed = decodeVersioned(data, 'The assignment from the group leader');
  if (parsed === undefined) return undefined;
  const hosts = Array.isArray(parsed.hosts) ? parsed.hosts : [];
  return {
    activeTasks: stringsOf(parsed.activeTasks),
    hosts: hosts.flatMap((host: unknown): HostAssignment[] => {
      if (typeof host !== 'object' || host === null) return [];
      const { endpoint, tasks, partitions } = host as Record<string, unknown>;
      if (typeof endpoint !== 'string') return [];
      return [{ endpoint, tasks: stringsOf(tasks), partitions: partitionsOf(partitions) }];
    }),
  };
}

function encodeVersioned(info: object): Buffer {
  return Buffer.concat([Buffer.of(assignmentInfoVersion), Buffer.from(JSON.stringify(info), 'utf8')]);
}

function decodeVersioned(data: Buffer | null, what: string): Record<string, unknown> | undefined {
  if (data === null || data.length === 0) return undefined;
  const version = data[0];
  if (version !== assignmentInfoVersion) {
    throw new KStreamsError(
      'KAFKA_UNSUPPORTED',
      `${what} has Streams user data version ${version}; this instance reads version ${assignmentInfoVersion}.`,
      { hint: 'Run the same kstreams version on every instance of the application.' },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.subarray(1).toString('utf8'));
  } catch (error) {
    throw new KStreamsError('KAFKA_UNSUPPORTED', `${what} has unreadable Streams user data.`, {
      hint: 'Make sure only kstreams instances of this application join its consumer group.',
      cause: error,
    });
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function partitionsOf(value: unknown): TopicPartition[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown): TopicPartition[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { topic, partition } = item as Record<string, unknown>;
    return typeof topic === 'string' && typeof partition === 'number' ? [{ topic, partition }] : [];
  });
}

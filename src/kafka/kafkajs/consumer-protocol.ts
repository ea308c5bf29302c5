import kafkajs from 'kafkajs';
import type { MemberAssignment, TopicPartition } from '../types.ts';

/** Kafka's consumer protocol (subscription and assignment with user data), version 0, via kafkajs's codec. */
const protocolVersion = 0;

export interface DecodedSubscription {
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
}

export function encodeSubscription(topics: readonly string[], userData: Buffer | null): Buffer {
  return kafkajs.AssignerProtocol.MemberMetadata.encode({
    version: protocolVersion,
    topics: [...topics],
    userData: userData ?? Buffer.alloc(0),
  });
}

export function decodeMemberSubscription(buffer: Buffer | null | undefined): DecodedSubscription | null {
  if (buffer === null || buffer === undefined || buffer.length < 2) return null;
  const decoded = kafkajs.AssignerProtocol.MemberMetadata.decode(buffer);
  if (decoded === null) return null;
  return { topics: decoded.topics, userData: emptyToNull(decoded.userData) };
}

export function encodeAssignment(assignment: MemberAssignment): Buffer {
  const byTopic: Record<string, number[]> = {};
  for (const { topic, partition } of assignment.partitions) {
    byTopic[topic] ??= [];
    byTopic[topic].push(partition);
  }
  return kafkajs.AssignerProtocol.MemberAssignment.encode({
    version: protocolVersion,
    assignment: byTopic,
    userData: assignment.userData ?? Buffer.alloc(0),
  });
}

export function decodeMemberAssignment(buffer: Buffer | null | undefined): MemberAssignment | null {
  if (buffer === null || buffer === undefined || buffer.length < 2) return null;
  const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(buffer);
  if (decoded === null) return null;
  const partitions: TopicPartition[] = [];
  for (const [topic, list] of Object.entries(decoded.assignment)) {
    for (const partition of list) partitions.push({ topic, partition });
  }
  return { partitions, userData: emptyToNull(decoded.userData) };
}

/** The protocol cannot tell an empty user data from none; both mean "no user data" here. */
function emptyToNull(buffer: Buffer | null | undefined): Buffer | null {
  return buffer === null || buffer === undefined || buffer.length === 0 ? null : buffer;
}

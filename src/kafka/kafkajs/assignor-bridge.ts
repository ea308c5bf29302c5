import type { Assigner, PartitionAssigner } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { MemberAssignment, MemberSubscription, PartitionAssignor } from '../types.ts';
import { decodeMemberSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts';
import { type MembershipObserver, observeGroupMembership } from './group-membership.ts';

const noPartitions: MemberAssignment = { partitions: [], userData: null };

/**
 * The port's PartitionAssignor as a kafkajs partition assigner. Each member's subscription user data goes
 * in its JoinGroup metadata; the leader decodes them all, asks the assignor, and encodes one assignment per
 * member with its own user data. Without an assignor, kafkajs's round-robin assigner is used.
 */
export function kafkaJsPartitionAssigner(
  assignor: PartitionAssignor | undefined,
  observer: MembershipObserver,
): PartitionAssigner {
  return (config) => {
    observeGroupMembership(config.cluster, observer);
    if (assignor === undefined) return kafkajs.PartitionAssigners.roundRobin(config);
    const { cluster } = config;
    const bridge: Assigner = {
      name: assignor.name,
      version: 0,
      protocol({ topics }) {
        return { name: assignor.name, metadata: encodeSubscription(topics, assignor.subscriptionUserData(topics)) };
      },
      async assign({ members }) {
        const subscriptions: MemberSubscription[] = members.map(({ memberId, memberMetadata }) => {
          const decoded = decodeMemberSubscription(memberMetadata);
          return { memberId, topics: decoded?.topics ?? [], userData: decoded?.userData ?? null };
        });
        // kafkajs passes only the leader's topics; other members may subscribe to more.
        const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
        await cluster.addMultipleTargetTopics(topics);
        const partitionCounts = new Map(
          topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length]),
        );
        const assignments = assignor.assign(subscriptions, partitionCounts);
        return members.map(({ memberId }) => ({
          memberId,
          memberAssignment: encodeAssignment(assignments.get(memberId) ?? noPartitions),
        }));
      },
    };
    return bridge;
  };
}

import type { MemberAssignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../types.ts';

/** The assignor used when none is given: each topic's partitions dealt over its subscribers in member order. */
export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  subscriptionUserData: () => null,
  assign(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>) {
    const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
    const owned = new Map<string, TopicPartition[]>(sorted.map((m) => [m.memberId, []]));
    let next = 0;
    for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => a.localeCompare(b))) {
      const subscribers = sorted.filter((m) => m.topics.includes(topic));
      if (subscribers.length === 0) continue;
      for (let partition = 0; partition < count; partition++) {
        owned.get(subscribers[next++ % subscribers.length]!.memberId)!.push({ topic, partition });
      }
    }
    return new Map<string, MemberAssignment>(
      [...owned].map(([id, partitions]) => [id, { partitions, userData: null }]),
    );
  },
};

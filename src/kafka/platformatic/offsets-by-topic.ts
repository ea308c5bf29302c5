import type { TopicPartitionOffset } from '../types.ts';

export interface PartitionOffsetEntry {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
}

/** Groups offsets by topic in the shape OffsetCommit and TxnOffsetCommit requests take. */
export function offsetsByTopic(offsets: readonly TopicPartitionOffset[]): Map<string, PartitionOffsetEntry[]> {
  const byTopic = new Map<string, PartitionOffsetEntry[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = byTopic.get(topic) ?? [];
    // -1: no leader epoch known, so the broker does not check it.
    list.push({ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1 });
    byTopic.set(topic, list);
  }
  return byTopic;
}

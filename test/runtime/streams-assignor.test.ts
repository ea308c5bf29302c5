import { describe, expect, it } from 'vitest';
import type { MemberSubscription } from '../../src/kafka/types.ts';
import {
  decodeAssignmentInfo,
  decodeSubscriptionInfo,
  StreamsAssignor,
  tasksFor,
} from '../../src/runtime/streams-assignor.ts';

const subtopologies = [
  { subtopology: 0, topics: ['orders', 'customers'] },
  { subtopology: 1, topics: ['app-agg-repartition'] },
];
const counts = new Map([
  ['orders', 3],
  ['customers', 3],
  ['app-agg-repartition', 2],
]);

function member(memberId: string): MemberSubscription {
  return { memberId, topics: ['orders', 'customers', 'app-agg-repartition'], userData: null };
}

function partitionsOf(assignment: ReturnType<StreamsAssignor['assign']>, memberId: string): string[] {
  return assignment.get(memberId)!.partitions.map((tp) => `${tp.topic}-${tp.partition}`);
}

describe('StreamsAssignor', () => {
  it('makes one task per partition of each sub-topology', () => {
    expect(tasksFor(subtopologies, counts).map((t) => `${t.subtopology}_${t.partition}`)).toEqual([
      '0_0',
      '0_1',
      '0_2',
      '1_0',
      '1_1',
    ]);
  });

  it('gives everything to a single member, co-partitioned topics together', () => {
    const assignment = new StreamsAssignor(subtopologies).assign([member('m1')], counts);
    expect(partitionsOf(assignment, 'm1')).toEqual([
      'orders-0',
      'customers-0',
      'orders-1',
      'customers-1',
      'orders-2',
      'customers-2',
      'app-agg-repartition-0',
      'app-agg-repartition-1',
    ]);
    expect(decodeAssignmentInfo(assignment.get('m1')!.userData)).toEqual({
      version: 1,
      activeTasks: ['0_0', '0_1', '0_2', '1_0', '1_1'],
    });
  });

  it('deals tasks round-robin over members sorted by id, partition p of every source topic together', () => {
    const assignment = new StreamsAssignor(subtopologies).assign([member('b'), member('a')], counts);
    expect(decodeAssignmentInfo(assignment.get('a')!.userData)?.activeTasks).toEqual(['0_0', '0_2', '1_1']);
    expect(decodeAssignmentInfo(assignment.get('b')!.userData)?.activeTasks).toEqual(['0_1', '1_0']);
    expect(partitionsOf(assignment, 'a')).toEqual([
      'orders-0',
      'customers-0',
      'orders-2',
      'customers-2',
      'app-agg-repartition-1',
    ]);
    expect(partitionsOf(assignment, 'b')).toEqual(['orders-1', 'customers-1', 'app-agg-repartition-0']);
  });

  it('assigns every partition exactly once, whatever the member count', () => {
    for (const size of [1, 2, 3, 4, 7]) {
      const members = Array.from({ length: size }, (_, i) => member(`member-${i}`));
      const assignment = new StreamsAssignor(subtopologies).assign(members, counts);
      const all = members.flatMap((m) => partitionsOf(assignment, m.memberId)).sort();
      expect(all).toHaveLength(8);
      expect(new Set(all).size).toBe(8);
      const taskCounts = members.map(
        (m) => decodeAssignmentInfo(assignment.get(m.memberId)!.userData)!.activeTasks.length,
      );
      expect(Math.max(...taskCounts) - Math.min(...taskCounts)).toBeLessThanOrEqual(1);
    }
  });

  it('sends the previous tasks in a versioned subscription', () => {
    const assignor = new StreamsAssignor(subtopologies, () => [
      { subtopology: 0, partition: 1 },
      { subtopology: 1, partition: 0 },
    ]);
    const data = assignor.subscriptionUserData();
    expect(JSON.parse(data!.toString())).toEqual({ version: 1, previousTasks: ['0_1', '1_0'] });
    expect(decodeSubscriptionInfo(data)).toEqual({ version: 1, previousTasks: ['0_1', '1_0'] });
  });

  it('treats missing or foreign user data as absent', () => {
    expect(decodeSubscriptionInfo(null)).toBeUndefined();
    expect(decodeSubscriptionInfo(Buffer.from('not json'))).toBeUndefined();
    expect(decodeSubscriptionInfo(Buffer.from('{"version":2,"previousTasks":[]}'))).toBeUndefined();
    expect(decodeAssignmentInfo(Buffer.alloc(0))).toBeUndefined();
  });
});

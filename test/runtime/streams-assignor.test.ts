import { describe, expect, it } from 'vitest';
import type { MemberSubscription } from '../../src/kafka/types.ts';
import {
  decodeAssignmentInfo,
  decodeSubscriptionInfo,
  encodeSubscriptionInfo,
} from '../../src/runtime/assignment-info.ts';
import { StreamsAssignor, tasksFor } from '../../src/runtime/streams-assignor.ts';

const subtopologies = [
  { subtopology: 0, topics: ['orders', 'customers'] },
  { subtopology: 1, topics: ['app-agg-repartition'] },
];
const counts = new Map([
  ['orders', 3],
  ['customers', 3],
  ['app-agg-repartition', 2],
]);
const topics = ['orders', 'customers', 'app-agg-repartition'];

function member(
  memberId: string,
  info: { activeTasks?: string[]; stateTasks?: string[]; endpoint?: string } = {},
): MemberSubscription {
  return {
    memberId,
    topics,
    userData: encodeSubscriptionInfo({ activeTasks: [], stateTasks: [], ...info }),
  };
}

function partitionsOf(assignment: ReturnType<StreamsAssignor['assign']>, memberId: string): string[] {
  return assignment.get(memberId)!.partitions.map((tp) => `${tp.topic}-${tp.partition}`);
}

function tasksOf(assignment: ReturnType<StreamsAssignor['assign']>, memberId: string): readonly string[] {
  return decodeAssignmentInfo(assignment.get(memberId)!.userData)!.activeTasks;
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
    expect(tasksOf(assignment, 'm1')).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1']);
  });

  it('puts partition p of every source topic of a sub-topology on the member owning task p', () => {
    const assignment = new StreamsAssignor(subtopologies).assign([member('b'), member('a')], counts);
    expect(tasksOf(assignment, 'a')).toEqual(['0_0', '0_2', '1_1']);
    expect(tasksOf(assignment, 'b')).toEqual(['0_1', '1_0']);
    expect(partitionsOf(assignment, 'a')).toEqual([
      'orders-0',
      'customers-0',
      'orders-2',
      'customers-2',
      'app-agg-repartition-1',
    ]);
    expect(partitionsOf(assignment, 'b')).toEqual(['orders-1', 'customers-1', 'app-agg-repartition-0']);
  });

  it('assigns every partition exactly once and balances task counts, whatever the member count', () => {
    for (const size of [1, 2, 3, 4, 7]) {
      const members = Array.from({ length: size }, (_, i) =>
        member(`member-${i}`, { activeTasks: i === 0 ? ['0_0', '0_1', '0_2', '1_0', '1_1'] : [] }),
      );
      const assignment = new StreamsAssignor(subtopologies).assign(members, counts);
      const all = members.flatMap((m) => partitionsOf(assignment, m.memberId)).sort();
      expect(all).toHaveLength(8);
      expect(new Set(all).size).toBe(8);
      const taskCounts = members.map((m) => tasksOf(assignment, m.memberId).length);
      expect(Math.max(...taskCounts) - Math.min(...taskCounts)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps tasks with their previous owners when a member joins, moving only what balance needs', () => {
    const assignor = new StreamsAssignor(subtopologies);
    const before = assignor.assign(
      [member('a', { activeTasks: ['0_0', '0_1', '0_2'] }), member('b', { activeTasks: ['1_0', '1_1'] })],
      counts,
    );
    expect(tasksOf(before, 'a')).toEqual(['0_0', '0_1', '0_2']);
    expect(tasksOf(before, 'b')).toEqual(['1_0', '1_1']);
    const after = assignor.assign(
      [member('a', { activeTasks: ['0_0', '0_1', '0_2'] }), member('b', { activeTasks: ['1_0', '1_1'] }), member('c')],
      counts,
    );
    expect(tasksOf(after, 'a')).toEqual(['0_0', '0_1']);
    expect(tasksOf(after, 'b')).toEqual(['1_0', '1_1']);
    expect(tasksOf(after, 'c')).toEqual(['0_2']);
  });

  it('gives a restarted member back the tasks whose state it kept', () => {
    // c ran 0_1 and 1_1, was killed; a and b took them over; c comes back with its state directory.
    const assignment = new StreamsAssignor(subtopologies).assign(
      [
        member('a', { activeTasks: ['0_0', '0_1', '1_0'], stateTasks: ['0_0', '0_1', '0_2', '1_0', '1_1'] }),
        member('b', { activeTasks: ['0_2', '1_1'], stateTasks: ['0_2', '1_1'] }),
        member('c-restarted', { stateTasks: ['0_1', '1_1'] }),
      ],
      counts,
    );
    expect(tasksOf(assignment, 'a')).toEqual(['0_0', '1_0']);
    expect(tasksOf(assignment, 'b')).toEqual(['0_2']);
    expect(tasksOf(assignment, 'c-restarted')).toEqual(['0_1', '1_1']);
  });

  it('tells every member the whole endpoint map: tasks and source partitions per host', () => {
    const assignment = new StreamsAssignor(subtopologies).assign(
      [
        member('a', { activeTasks: ['0_0', '0_1', '0_2'], endpoint: 'host-a:8080' }),
        member('b', { activeTasks: ['1_0', '1_1'], endpoint: 'host-b:8080' }),
        member('no-endpoint'),
      ],
      counts,
    );
    const expectedHosts = [
      {
        endpoint: 'host-a:8080',
        tasks: ['0_0', '0_1'],
        partitions: [
          { topic: 'orders', partition: 0 },
          { topic: 'customers', partition: 0 },
          { topic: 'orders', partition: 1 },
          { topic: 'customers', partition: 1 },
        ],
      },
      {
        endpoint: 'host-b:8080',
        tasks: ['1_0', '1_1'],
        partitions: [
          { topic: 'app-agg-repartition', partition: 0 },
          { topic: 'app-agg-repartition', partition: 1 },
        ],
      },
    ];
    for (const id of ['a', 'b', 'no-endpoint']) {
      expect(decodeAssignmentInfo(assignment.get(id)!.userData)!.hosts).toEqual(expectedHosts);
    }
    expect(tasksOf(assignment, 'no-endpoint')).toEqual(['0_2']);
  });

  it('advertises previous tasks, local state and endpoint in a versioned subscription', () => {
    const assignor = new StreamsAssignor(subtopologies, {
      previousTasks: () => [
        { subtopology: 0, partition: 1 },
        { subtopology: 1, partition: 0 },
      ],
      stateTasks: () => ['0_1', '0_2', '1_0'],
      endpoint: 'localhost:7070',
    });
    const data = assignor.subscriptionUserData();
    expect(data![0]).toBe(2);
    expect(decodeSubscriptionInfo(data, 'm')).toEqual({
      activeTasks: ['0_1', '1_0'],
      stateTasks: ['0_1', '0_2', '1_0'],
      endpoint: 'localhost:7070',
    });
  });

  it('treats a member without user data as one with no tasks and no state', () => {
    const plain: MemberSubscription = { memberId: 'plain', topics, userData: null };
    const assignment = new StreamsAssignor(subtopologies).assign(
      [member('a', { activeTasks: ['0_0', '0_1', '0_2', '1_0', '1_1'] }), plain],
      counts,
    );
    expect(tasksOf(assignment, 'a')).toEqual(['0_0', '0_1', '0_2']);
    expect(tasksOf(assignment, 'plain')).toEqual(['1_0', '1_1']);
  });

  it('refuses a member whose user data has another version, naming the member', () => {
    const future: MemberSubscription = { memberId: 'future-member', topics, userData: Buffer.from([9, 123, 125]) };
    expect(() => new StreamsAssignor(subtopologies).assign([member('a'), future], counts)).toThrow(
      /member "future-member" has Streams user data version 9; this instance reads version 2/,
    );
  });
});

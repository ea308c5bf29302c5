import { describe, expect, it } from 'vitest';
import { assignTasksSticky, type MemberTaskClaims } from '../../src/runtime/sticky-task-assignment.ts';

const tasks = ['0_0', '0_1', '0_2', '0_3', '0_4', '0_5'];

function claims(memberId: string, activeTasks: string[] = [], stateTasks: string[] = []): MemberTaskClaims {
  return { memberId, activeTasks: new Set(activeTasks), stateTasks: new Set(stateTasks) };
}

const asObject = (map: ReadonlyMap<string, readonly string[]>) => Object.fromEntries(map);

describe('assignTasksSticky', () => {
  it('returns nothing without members', () => {
    expect(asObject(assignTasksSticky(tasks, []))).toEqual({});
  });

  it('deals fresh tasks to the least loaded members in member id order', () => {
    expect(asObject(assignTasksSticky(tasks, [claims('c'), claims('a'), claims('b')]))).toEqual({
      a: ['0_0', '0_3'],
      b: ['0_1', '0_4'],
      c: ['0_2', '0_5'],
    });
  });

  it('moves nothing when the previous assignment is already balanced', () => {
    const members = [claims('a', ['0_1', '0_5']), claims('b', ['0_0', '0_3']), claims('c', ['0_2', '0_4'])];
    expect(asObject(assignTasksSticky(tasks, members))).toEqual({
      a: ['0_1', '0_5'],
      b: ['0_0', '0_3'],
      c: ['0_2', '0_4'],
    });
  });

  it('spreads a departed member’s tasks over the rest, keeping everything else in place', () => {
    const members = [claims('a', ['0_1', '0_5']), claims('c', ['0_2', '0_4'])];
    expect(asObject(assignTasksSticky(tasks, members))).toEqual({
      a: ['0_0', '0_1', '0_5'],
      c: ['0_2', '0_3', '0_4'],
    });
  });

  it('hands a rejoining member the tasks it has state for, taken from the members over their share', () => {
    const members = [
      claims('a', ['0_0', '0_1', '0_4'], tasks),
      claims('b', ['0_2', '0_3', '0_5'], ['0_2', '0_3', '0_5']),
      claims('c', [], ['0_4', '0_5']),
    ];
    expect(asObject(assignTasksSticky(tasks, members))).toEqual({
      a: ['0_0', '0_1'],
      b: ['0_2', '0_3'],
      c: ['0_4', '0_5'],
    });
  });

  it('gives a task claimed by two members (a zombie and its successor) to one of them only', () => {
    const members = [claims('a', ['0_0', '0_1', '0_2']), claims('b', ['0_0', '0_3', '0_4', '0_5'])];
    expect(asObject(assignTasksSticky(tasks, members))).toEqual({
      a: ['0_0', '0_1', '0_2'],
      b: ['0_3', '0_4', '0_5'],
    });
  });

  it('leaves members without tasks when there are more members than tasks', () => {
    const result = assignTasksSticky(['0_0', '0_1'], [claims('a'), claims('b', ['0_1']), claims('c')]);
    expect(asObject(result)).toEqual({ a: ['0_0'], b: ['0_1'], c: [] });
  });

  it('places every task once, balanced, and the same whatever the input order (random claims)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const many = Array.from({ length: 23 }, (_, i) => `${i % 3}_${Math.floor(i / 3)}`);
    for (let round = 0; round < 200; round++) {
      const memberCount = 1 + Math.floor(random() * 6);
      const members = Array.from({ length: memberCount }, (_, m) =>
        claims(
          `member-${m}`,
          many.filter(() => random() < 0.3),
          many.filter(() => random() < 0.3),
        ),
      );
      const result = assignTasksSticky(many, members);
      const placed = [...result.values()].flat();
      expect(placed.sort()).toEqual([...many].sort());
      const sizes = [...result.values()].map((list) => list.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(asObject(assignTasksSticky(many, [...members].reverse()))).toEqual(asObject(result));
    }
  });
});

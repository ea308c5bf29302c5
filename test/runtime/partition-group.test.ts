import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/kafka/types.ts';
import { PartitionGroup } from '../../src/runtime/partition-group.ts';

const left = { topic: 'left', partition: 2 };
const right = { topic: 'right', partition: 2 };

function record(tp: { topic: string; partition: number }, offset: number, timestamp: number): ConsumedRecord {
  return { ...tp, offset, timestamp, key: null, value: null, headers: [] };
}

function drain(group: PartitionGroup, now: number): string[] {
  const out: string[] = [];
  for (let r = group.next(now); r !== undefined; r = group.next(now)) out.push(`${r.topic}@${r.offset}`);
  return out;
}

describe('PartitionGroup', () => {
  it('takes the head with the lowest timestamp across partitions', () => {
    const group = new PartitionGroup([left, right], 0);
    group.add(record(left, 0, 10));
    group.add(record(left, 1, 30));
    group.add(record(right, 0, 20));
    group.add(record(right, 1, 40));
    expect(drain(group, 0)).toEqual(['left@0', 'right@0', 'left@1', 'right@1']);
    expect(group.buffered).toBe(0);
  });

  it('keeps offset order within a partition even when timestamps go back', () => {
    const group = new PartitionGroup([left], 0);
    group.add(record(left, 0, 50));
    group.add(record(left, 1, 10));
    expect(drain(group, 0)).toEqual(['left@0', 'left@1']);
  });

  it('prefers the first partition when head timestamps tie', () => {
    const group = new PartitionGroup([left, right], 0);
    group.add(record(right, 0, 5));
    group.add(record(left, 0, 5));
    expect(drain(group, 0)).toEqual(['left@0', 'right@0']);
  });

  it('with maxTaskIdleMs 0 processes what it has while another partition is empty', () => {
    const group = new PartitionGroup([left, right], 0);
    group.add(record(left, 0, 10));
    expect(drain(group, 1_000)).toEqual(['left@0']);
    expect(group.idleDeadline()).toBeUndefined();
  });

  it('waits up to maxTaskIdleMs for an empty partition, then processes the others', () => {
    const group = new PartitionGroup([left, right], 100);
    group.add(record(left, 0, 10));
    group.add(record(left, 1, 11));
    expect(group.next(1_000)).toBeUndefined();
    expect(group.idleDeadline()).toBe(1_100);
    expect(group.next(1_099)).toBeUndefined();
    expect(drain(group, 1_100)).toEqual(['left@0', 'left@1']);
  });

  it('stops waiting as soon as the empty partition gets data, and orders by timestamp', () => {
    const group = new PartitionGroup([left, right], 100);
    group.add(record(left, 0, 30));
    expect(group.next(1_000)).toBeUndefined();
    group.add(record(right, 0, 20));
    expect(group.next(1_050)?.topic).toBe('right');
    // right is empty again: a new wait starts.
    expect(group.next(1_060)).toBeUndefined();
    expect(group.idleDeadline()).toBe(1_160);
    expect(drain(group, 1_160)).toEqual(['left@0']);
  });

  it('keeps processing after a wait has run out while the partition stays empty', () => {
    const group = new PartitionGroup([left, right], 100);
    group.add(record(left, 0, 1));
    expect(group.next(0)).toBeUndefined();
    expect(group.next(100)?.offset).toBe(0);
    group.add(record(left, 1, 2));
    expect(group.next(101)?.offset).toBe(1);
  });

  it('reports queue sizes, ignores foreign partitions and drops everything on clear', () => {
    const group = new PartitionGroup([left, right], 0);
    expect(group.add(record(left, 0, 1))).toBe(1);
    expect(group.add(record(left, 1, 2))).toBe(2);
    expect(group.add(record({ topic: 'other', partition: 0 }, 0, 1))).toBe(-1);
    expect(group.size(left)).toBe(2);
    expect(group.size(right)).toBe(0);
    group.clear();
    expect(group.buffered).toBe(0);
    expect(group.next(0)).toBeUndefined();
  });

  it('handles long queues without losing order', () => {
    const group = new PartitionGroup([left], 0);
    for (let i = 0; i < 5_000; i++) group.add(record(left, i, i));
    const offsets: number[] = [];
    for (let i = 0; i < 3_000; i++) offsets.push(group.next(0)!.offset);
    for (let i = 5_000; i < 6_000; i++) group.add(record(left, i, i));
    for (let r = group.next(0); r !== undefined; r = group.next(0)) offsets.push(r.offset);
    expect(offsets).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
  });
});

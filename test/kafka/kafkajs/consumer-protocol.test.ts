import { describe, expect, it } from 'vitest';
import {
  decodeMemberAssignment,
  decodeMemberSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../src/kafka/kafkajs/consumer-protocol.ts';

describe('consumer protocol codec', () => {
  it('round-trips a subscription with user data', () => {
    const encoded = encodeSubscription(['a', 'b'], Buffer.from('host:8080'));
    const decoded = decodeMemberSubscription(encoded);
    expect(decoded?.topics).toEqual(['a', 'b']);
    expect(decoded?.userData?.toString()).toBe('host:8080');
  });

  it('round-trips an assignment over several topics with user data', () => {
    const partitions = [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 1 },
    ];
    const decoded = decodeMemberAssignment(encodeAssignment({ partitions, userData: Buffer.from([1, 2, 3]) }));
    expect(decoded?.partitions).toEqual(partitions);
    expect([...(decoded?.userData ?? [])]).toEqual([1, 2, 3]);
  });

  it('reads missing and empty user data as null, and an empty buffer as no assignment', () => {
    expect(decodeMemberSubscription(encodeSubscription(['a'], null))?.userData).toBeNull();
    expect(decodeMemberAssignment(encodeAssignment({ partitions: [], userData: null }))).toEqual({
      partitions: [],
      userData: null,
    });
    expect(decodeMemberAssignment(Buffer.alloc(0))).toBeNull();
  });
});

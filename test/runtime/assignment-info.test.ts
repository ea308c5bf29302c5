import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import {
  decodeAssignmentInfo,
  decodeSubscriptionInfo,
  encodeAssignmentInfo,
  encodeSubscriptionInfo,
} from '../../src/runtime/assignment-info.ts';

describe('Streams assignor user data', () => {
  it('round-trips a subscription behind a version byte', () => {
    const info = { activeTasks: ['0_1'], stateTasks: ['0_1', '1_3'], endpoint: 'h:1' };
    const data = encodeSubscriptionInfo(info);
    expect(data[0]).toBe(2);
    expect(decodeSubscriptionInfo(data, 'm')).toEqual(info);
  });

  it('round-trips an assignment with the endpoint map', () => {
    const info = {
      activeTasks: ['0_0'],
      hosts: [{ endpoint: 'h:1', tasks: ['0_0'], partitions: [{ topic: 't', partition: 0 }] }],
    };
    expect(decodeAssignmentInfo(encodeAssignmentInfo(info))).toEqual(info);
  });

  it('reads missing user data as absent', () => {
    expect(decodeSubscriptionInfo(null, 'm')).toBeUndefined();
    expect(decodeAssignmentInfo(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses another version, or the JSON of an older kstreams, with KAFKA_UNSUPPORTED', () => {
    for (const data of [Buffer.from([3, 123, 125]), Buffer.from('{"version":1,"activeTasks":[]}')]) {
      const error = (() => {
        try {
          decodeAssignmentInfo(data);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isKStreamsError(error, 'KAFKA_UNSUPPORTED')).toBe(true);
      expect(String(error)).toMatch(/The assignment from the group leader has Streams user data version \d+/);
    }
  });

  it('refuses unreadable data of the right version', () => {
    expect(() => decodeSubscriptionInfo(Buffer.from([2, 1, 2, 3]), 'm')).toThrow(/unreadable Streams user data/);
  });
});

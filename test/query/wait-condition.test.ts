import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { parseWaitCondition } from '../../src/query/wait-condition.ts';

describe('parseWaitCondition', () => {
  it('without until, waits for the key to exist (any value)', () => {
    expect(parseWaitCondition(undefined)({ status: 'X' })).toBe(true);
  });

  it('compares a field, or a dotted path, as text', () => {
    const confirmed = parseWaitCondition('status:CONFIRMED');
    expect(confirmed({ status: 'CONFIRMED' })).toBe(true);
    expect(confirmed({ status: 'REQUESTED' })).toBe(false);
    expect(confirmed('CONFIRMED')).toBe(false);
    expect(parseWaitCondition('payment.attempts:2')({ payment: { attempts: 2 } })).toBe(true);
    expect(parseWaitCondition('payment.attempts:2')({ payment: null })).toBe(false);
    expect(parseWaitCondition('note:a:b')({ note: 'a:b' })).toBe(true);
  });

  it('does not follow inherited properties', () => {
    expect(parseWaitCondition('constructor:x')({})).toBe(false);
  });

  it('uses a registered condition by name and names the known ones for an unknown one', () => {
    const terminal = parseWaitCondition('confirmed', { confirmed: (v) => v === 'CONFIRMED' });
    expect(terminal('CONFIRMED')).toBe(true);
    try {
      parseWaitCondition('shipped', { confirmed: () => true });
      expect.unreachable();
    } catch (error) {
      expect(isKStreamsError(error, 'QUERY_INVALID')).toBe(true);
      expect((error as Error).message).toContain('confirmed');
    }
  });
});

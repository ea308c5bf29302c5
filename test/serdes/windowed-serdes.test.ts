import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.ts';
import { sessionWindowedSerdeFrom, timeWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';

describe('timeWindowedSerdeFrom', () => {
  const serde = timeWindowedSerdeFrom(Serdes.string(), 60_000);

  it("writes Java's TimeWindowedSerializer layout: key bytes, then the start as a big-endian long", () => {
    const bytes = serde.serialize('t', { key: 'ab', window: { start: 1_700_000_000_000, end: 1_700_000_060_000 } });
    expect(bytes?.toString('hex')).toBe(`6162${'0000018bcfe56800'}`);
  });

  it('reads the start back and derives the end from the window size', () => {
    const bytes = Buffer.from('61620000018bcfe56800', 'hex');
    expect(serde.deserialize('t', bytes)).toEqual({
      key: 'ab',
      window: { start: 1_700_000_000_000, end: 1_700_000_060_000 },
    });
  });

  it('keeps null as null and refuses bytes too short for the start', () => {
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
    expect(() => serde.deserialize('t', Buffer.from('0102', 'hex'))).toThrow(/fewer than the 8 bytes/);
  });
});

describe('sessionWindowedSerdeFrom', () => {
  const serde = sessionWindowedSerdeFrom(Serdes.int32());

  it("writes Java's SessionWindowedSerializer layout: key bytes, then end and start as big-endian longs", () => {
    const bytes = serde.serialize('t', { key: 7, window: { start: 5, end: 300 } });
    expect(bytes?.toString('hex')).toBe('00000007' + '000000000000012c' + '0000000000000005');
    expect(serde.deserialize('t', bytes)).toEqual({ key: 7, window: { start: 5, end: 300 } });
  });

  it('refuses fractional window bounds', () => {
    expect(() => serde.serialize('t', { key: 1, window: { start: 0.5, end: 1 } })).toThrow(/not a safe integer/);
  });
});

import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { stringSerde } from '../../src/serdes/index.ts';
import java from './fixtures/java-serde-vectors.json' with { type: 'json' };
import { thrown } from './support/thrown.ts';

describe('stringSerde', () => {
  const serde = stringSerde();

  it.each(java.string)('writes $value as UTF-8 exactly as Java’s StringSerializer ($hex)', ({ value, hex }) => {
    expect(serde.serialize('topic', value)?.toString('hex')).toBe(hex);
  });

  it.each(java.string)('reads Java’s bytes $hex back as $value', ({ value, hex }) => {
    expect(serde.deserialize('topic', Buffer.from(hex, 'hex'))).toBe(value);
  });

  it('keeps null as null both ways, and the empty string as empty bytes', () => {
    expect(serde.serialize('topic', null)).toBeNull();
    expect(serde.deserialize('topic', null)).toBeNull();
    expect(serde.serialize('topic', '')).toEqual(Buffer.alloc(0));
    expect(serde.deserialize('topic', Buffer.alloc(0))).toBe('');
  });

  it('replaces invalid UTF-8 with U+FFFD like Java instead of failing', () => {
    expect(serde.deserialize('topic', Buffer.from([0x61, 0xff, 0x62]))).toBe('a\ufffdb');
  });

  it('rejects a value that is not a string', () => {
    const error = thrown(() => serde.serialize('names', 42 as unknown as string));
    expect(isKStreamsError(error, 'SERDE_SERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('42 is not a string');
  });
});

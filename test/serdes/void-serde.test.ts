import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { voidSerde } from '../../src/serdes/index.ts';
import java from './fixtures/java-serde-vectors.json' with { type: 'json' };
import { thrown } from './support/thrown.ts';

describe('voidSerde', () => {
  const serde = voidSerde();

  it('writes nothing and reads null', () => {
    expect(serde.serialize('topic', null)).toBeNull();
    expect(serde.deserialize('topic', null)).toBeNull();
  });

  it('rejects present data with Java’s message', () => {
    const error = thrown(() => serde.deserialize('keys', Buffer.from([1])));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain(java.sizeErrors.void.replace(/\.$/, ''));
    expect(error.message).toContain('"keys"');
  });
});

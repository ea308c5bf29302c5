import { describe, expect, it } from 'vitest';
import { bytesSerde } from '../../src/serdes/index.ts';

describe('bytesSerde', () => {
  const serde = bytesSerde();

  it('passes buffers through without copying', () => {
    const data = Buffer.from([0, 1, 2, 255]);
    expect(serde.serialize('topic', data)).toBe(data);
    expect(serde.deserialize('topic', data)).toBe(data);
  });

  it('keeps null as null both ways', () => {
    expect(serde.serialize('topic', null)).toBeNull();
    expect(serde.deserialize('topic', null)).toBeNull();
    expect(serde.deserialize('topic', undefined)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { rabinFingerprint64 } from '../../../src/serdes/index.ts';
import java from './fixtures/java-avro-vectors.json' with { type: 'json' };

describe('rabinFingerprint64 (CRC-64-AVRO)', () => {
  // Published in the Avro project's share/test/data/schema-tests.txt, as signed 64-bit values.
  it.each([
    ['"null"', 7195948357588979594n],
    ['"boolean"', -6970731678124411036n],
    ['"int"', 8247732601305521295n],
    ['"long"', -3434872931120570953n],
    ['"float"', 5583340709985441680n],
    ['"string"', -8142146995180207161n],
    ['["int","boolean"]', 5392556393470105090n],
    ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
    ['{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651n],
  ])('matches the Avro spec’s test vector for %s', (canonical, expected) => {
    expect(rabinFingerprint64(canonical)).toBe(expected);
  });

  it.each(java.fingerprints)('matches Java’s SchemaNormalization for $canonical', ({ canonical, fingerprint }) => {
    expect(rabinFingerprint64(canonical)).toBe(BigInt(fingerprint));
    expect(rabinFingerprint64(Buffer.from(canonical, 'utf8'))).toBe(BigInt(fingerprint));
  });
});

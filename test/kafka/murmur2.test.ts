import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/kafka/murmur2.ts';
import javaVectors from './fixtures/murmur2-java.json' with { type: 'json' };

// The fixture is printed by Java's own Utils.murmur2 and BuiltInPartitioner (scripts/java/MurmurVectors.java).
describe('murmur2', () => {
  it.each(javaVectors)('hashes "$key" exactly as Java does', ({ key, murmur2: expected }) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  it.each(javaVectors)('puts "$key" in the partition Java picks for every partition count', ({ key, partitions }) => {
    for (const [count, expected] of Object.entries(partitions)) {
      expect(partitionForKey(Buffer.from(key, 'utf8'), Number(count))).toBe(expected);
    }
  });

  it('matches the vectors in Kafka’s own UtilsTest', () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
  });
});

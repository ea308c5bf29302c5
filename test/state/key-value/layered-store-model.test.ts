import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import type { KeyValue } from '../../../src/state/key-value-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import { latin1, seededRandom } from '../support/seeded-random.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

const alphabet = ['\x00', 'a', 'b', '\x7f', '\x80', '\xff'];

function modelRange(model: Map<string, string>, from?: string, to?: string): KeyValue<string, string>[] {
  return [...model.keys()]
    .filter((key) => (from === undefined || key >= from) && (to === undefined || key < to))
    .sort()
    .map((key) => ({ key, value: model.get(key)! }));
}

describe.each([
  { caching: false, logging: true },
  { caching: true, logging: true },
  { caching: true, logging: false },
])('layered store against a model (caching $caching, logging $logging)', ({ caching, logging }) => {
  it.each([1, 2, 3, 4])('agrees with a sorted map through random operations (seed %i)', async (seed) => {
    const next = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const randomKey = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(alphabet)).join('');
    const optionalKey = () => (next() < 0.25 ? undefined : randomKey());

    const fixture = storeContextFixture({ cacheMaxBytes: 2_000 });
    let builder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('model'), latin1, Serdes.string());
    builder = caching ? builder.withCachingEnabled() : builder;
    builder = logging ? builder : builder.withLoggingDisabled();
    let store = builder.build(fixture.context);
    let model = new Map<string, string>();
    let flushed = new Map<string, string>();
    let persisted = new Map<string, string>();
    // The changelog replayed over the state it started from: equals the flushed state after each flush.
    let changelogBase = new Map<string, string>();
    let changelogFrom = 0;
    let offset = 0;

    for (let step = 0; step < 600; step++) {
      const roll = next();
      if (roll < 0.3) {
        const key = randomKey();
        const value = `v${step}`;
        store.put(key, value);
        model.set(key, value);
      } else if (roll < 0.45) {
        const key = randomKey();
        expect(store.delete(key)).toBe(model.get(key));
        model.delete(key);
      } else if (roll < 0.5) {
        const key = randomKey();
        expect(store.putIfAbsent(key, `p${step}`)).toBe(model.get(key));
        if (!model.has(key)) model.set(key, `p${step}`);
      } else if (roll < 0.6) {
        const key = randomKey();
        expect(store.get(key)).toBe(model.get(key));
      } else if (roll < 0.7) {
        const [from, to] = [optionalKey(), optionalKey()];
        expect([...store.range(from, to)]).toEqual(modelRange(model, from, to));
        expect([...store.reverseRange(from, to)]).toEqual(modelRange(model, from, to).reverse());
      } else if (roll < 0.78) {
        const prefix = randomKey().slice(0, 1 + Math.floor(next() * 2));
        expect([...store.prefixScan(prefix)]).toEqual(modelRange(model).filter((e) => e.key.startsWith(prefix)));
      } else if (roll < 0.86) {
        store.flush();
        flushed = new Map(model);
        if (logging) {
          const replayed = new Map(changelogBase);
          for (const record of fixture.changelogBytes.slice(changelogFrom)) {
            const key = record.key.toString('latin1');
            if (record.value === null) replayed.delete(key);
            else replayed.set(key, record.value.toString());
          }
          expect(replayed).toEqual(flushed);
        }
      } else if (roll < 0.96) {
        offset++;
        await store.persist(offset);
        persisted = new Map(flushed);
        const bytes = fixture.bytesStores.get('model')!;
        const stored = [...bytes.range()].map((e) => [e.key.toString('latin1'), e.value.toString()]);
        expect(stored).toEqual(modelRange(persisted).map((e) => [e.key, e.value]));
        expect(bytes.changelogOffset()).toBe(offset);
      } else {
        // A restart: unpersisted writes are gone, the new store starts from the last persist.
        await store.close();
        fixture.bytesStores.delete('model');
        const reopened = fixture.context.openBytesStore('model', false);
        for (const [key, value] of persisted)
          await reopened.commit([{ key: Buffer.from(key, 'latin1'), value: Buffer.from(value) }]);
        store = builder.build(fixture.context);
        model = new Map(persisted);
        flushed = new Map(persisted);
        changelogBase = new Map(persisted);
        changelogFrom = fixture.changelog.length;
      }
    }
    expect([...store.all()]).toEqual(modelRange(model));
  });
});

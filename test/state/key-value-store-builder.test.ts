import { describe, expect, it } from 'vitest';
import { KStreamsError } from '../../src/errors.ts';
import type { Serde } from '../../src/serdes/serde.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { Stores } from '../../src/state/stores.ts';
import { committedEntries, storeContextFixture } from './support/store-context-fixture.ts';

const b = (text: string): Buffer => Buffer.from(text);
const keysOf = <K>(entries: Iterable<{ key: K }>): K[] => [...entries].map((entry) => entry.key);

function stringStore(name = 'counts') {
  return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.string(), Serdes.string());
}

describe('KeyValueStoreBuilder', () => {
  it('follows Kafka Streams defaults: logging on, caching off; with* returns a new builder', () => {
    const builder = stringStore();
    expect(builder).toMatchObject({ name: 'counts', persistent: false, loggingEnabled: true, cachingEnabled: false });
    const changed = builder.withCachingEnabled().withLoggingEnabled({ 'retention.ms': '1000' });
    expect(changed).toMatchObject({ cachingEnabled: true, loggingEnabled: true });
    expect(changed.loggingConfigs).toEqual({ 'retention.ms': '1000' });
    expect(builder.cachingEnabled).toBe(false);
    expect(changed.withLoggingDisabled()).toMatchObject({ loggingEnabled: false, loggingConfigs: {} });
    expect(changed.withCachingDisabled().cachingEnabled).toBe(false);
    expect(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('p')).persistent).toBe(true);
  });

  it('rejects a cache budget that is not a positive whole number', () => {
    expect(() => stringStore().withCachingEnabled({ maxBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('opens its bytes store through the context and falls back to the default serdes', () => {
    const fixture = storeContextFixture();
    const store = Stores.keyValueStoreBuilder<string, string>(Stores.persistentKeyValueStore('p')).build(
      fixture.context,
    );
    store.put('k', 'v');
    expect(store.get('k')).toBe('v');
    expect(store.persistent).toBe(false); // the fixture opens in-memory bytes stores
    expect(fixture.bytesStores.has('p')).toBe(true);
  });

  it('builds an in-memory store without a context, but not a persistent one', () => {
    const store = stringStore().build();
    store.put('a', '1');
    expect(store.get('a')).toBe('1');
    expect(() => Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('p'), Serdes.string()).build()).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() =>
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('p'), Serdes.string(), Serdes.string()).build(),
    ).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
  });

  describe.each([
    { caching: false, logging: false },
    { caching: false, logging: true },
    { caching: true, logging: false },
    { caching: true, logging: true },
  ])('caching $caching, logging $logging', ({ caching, logging }) => {
    function build(fixture = storeContextFixture()) {
      let builder = stringStore();
      builder = caching ? builder.withCachingEnabled() : builder.withCachingDisabled();
      builder = logging ? builder.withLoggingEnabled() : builder.withLoggingDisabled();
      const store = builder.build(fixture.context);
      return { fixture, store, bytes: fixture.bytesStores.get('counts')! };
    }

    it('reads its own writes before anything is persisted, and nothing reaches the bytes store', async () => {
      const { store, bytes } = build();
      store.put('a', '1');
      store.put('b', '2');
      store.put('a', '3');
      expect(store.delete('b')).toBe('2');
      expect(store.get('a')).toBe('3');
      expect(store.get('b')).toBeUndefined();
      expect(store.putIfAbsent('a', 'x')).toBe('3');
      expect(store.putIfAbsent('c', '4')).toBeUndefined();
      expect([...store.all()]).toEqual([
        { key: 'a', value: '3' },
        { key: 'c', value: '4' },
      ]);
      store.flush();
      expect(store.get('c')).toBe('4');
      expect(committedEntries(bytes)).toEqual([]);
      expect(bytes.changelogOffset()).toBeUndefined();
    });

    it('persists exactly the flushed state plus the changelog offset, in one commit', async () => {
      const { store, bytes } = build();
      store.put('a', '1');
      store.put('b', '2');
      store.delete('a');
      store.flush();
      store.put('late', 'x'); // after the flush: belongs to the next commit
      await store.persist(7);
      expect(committedEntries(bytes)).toEqual(['b=2']);
      expect(bytes.changelogOffset()).toBe(7);
      expect(store.changelogOffset()).toBe(7);
      expect(store.get('late')).toBe('x');

      store.delete('b');
      store.flush();
      await store.persist(9);
      expect(committedEntries(bytes)).toEqual(['late=x']);
      expect(bytes.changelogOffset()).toBe(9);
    });

    it('hides stored entries behind deletes in get, range and prefix scans until and after persist', async () => {
      const { store } = build();
      for (const key of ['a1', 'a2', 'a3', 'b1']) store.put(key, key);
      store.flush();
      await store.persist(1);
      store.delete('a2');
      store.put('a4', 'new');
      expect(store.get('a2')).toBeUndefined();
      expect(keysOf(store.prefixScan('a'))).toEqual(['a1', 'a3', 'a4']);
      expect(keysOf(store.reverseRange('a2', 'b'))).toEqual(['a4', 'a3']);
      store.flush();
      await store.persist(2);
      expect(keysOf(store.all())).toEqual(['a1', 'a3', 'a4', 'b1']);
      expect(store.approximateNumEntries()).toBe(4);
    });

    it('is seen by a new store on the same bytes store once persisted, and only then', async () => {
      const fixture = storeContextFixture();
      const first = build(fixture).store;
      first.put('kept', '1');
      first.flush();
      await first.persist(3);
      first.put('lost', '2'); // never flushed nor persisted: not covered by committed offsets
      const again = build(fixture).store;
      expect(again.get('kept')).toBe('1');
      expect(again.get('lost')).toBeUndefined();
      expect(again.changelogOffset()).toBe(3);
    });

    it('restores a batch straight to the bytes store with its offset, bypassing cache and changelog', async () => {
      const { store, bytes, fixture } = build();
      await store.restore(
        [
          { key: b('a'), value: b('1') },
          { key: b('b'), value: b('2') },
          { key: b('a'), value: null },
        ],
        42,
      );
      expect(committedEntries(bytes)).toEqual(['b=2']);
      expect(store.changelogOffset()).toBe(42);
      expect(store.get('b')).toBe('2');
      expect(fixture.changelog).toEqual([]);
      store.flush();
      expect(fixture.changelog).toEqual([]);
    });

    it('refuses to restore over unpersisted writes', async () => {
      const { store } = build();
      store.put('a', '1');
      await expect(store.restore([{ key: b('x'), value: b('y') }], 1)).rejects.toMatchObject({
        code: 'ILLEGAL_STATE',
      });
    });

    it('wipes buffered writes, stored entries and the offset', async () => {
      const { store, bytes } = build();
      store.put('a', '1');
      store.flush();
      await store.persist(5);
      store.put('b', '2');
      await store.wipe();
      expect([...store.all()]).toEqual([]);
      expect(store.changelogOffset()).toBeUndefined();
      expect(committedEntries(bytes)).toEqual([]);
    });
  });

  describe('changelog', () => {
    it('without caching sends every put and delete at once, stamped with the record being processed', () => {
      const fixture = storeContextFixture();
      const store = stringStore().build(fixture.context);
      fixture.processing({ timestamp: 5, source: { topic: 'in', partition: 1, offset: 10 } });
      store.put('a', '1');
      store.put('a', '2');
      fixture.processing({ timestamp: 6, source: { topic: 'in', partition: 1, offset: 11 } });
      store.delete('a');
      store.delete('never-there');
      expect(fixture.changelog).toEqual([
        { store: 'counts', key: 'a', value: '1', timestamp: 5, source: { topic: 'in', partition: 1, offset: 10 } },
        { store: 'counts', key: 'a', value: '2', timestamp: 5, source: { topic: 'in', partition: 1, offset: 10 } },
        { store: 'counts', key: 'a', value: null, timestamp: 6, source: { topic: 'in', partition: 1, offset: 11 } },
      ]);
      store.flush();
      expect(fixture.changelog).toHaveLength(3);
    });

    it('with caching sends one record per changed key at flush, stamped by its last update', () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled().build(fixture.context);
      fixture.processing({ timestamp: 5, source: { topic: 'in', partition: 0, offset: 1 } });
      store.put('a', '1');
      store.put('b', '1');
      fixture.processing({ timestamp: 7, source: { topic: 'in', partition: 0, offset: 2 } });
      store.put('a', '2');
      store.delete('b');
      store.put('c', 'temporary');
      store.delete('c');
      expect(fixture.changelog).toEqual([]);
      store.flush();
      expect(fixture.changelog).toEqual([
        { store: 'counts', key: 'a', value: '2', timestamp: 7, source: { topic: 'in', partition: 0, offset: 2 } },
      ]);
      store.flush();
      expect(fixture.changelog).toHaveLength(1);
    });

    it('with caching logs a delete of a key that is stored below the cache', async () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled().build(fixture.context);
      store.put('a', '1');
      store.flush();
      await store.persist(1);
      store.put('a', '2');
      store.delete('a');
      store.flush();
      expect(fixture.changelog.map((r) => [r.key, r.value])).toEqual([
        ['a', '1'],
        ['a', null],
      ]);
    });

    it('stays silent when logging is disabled or the context has no changelog sink', () => {
      const logged = storeContextFixture();
      const store = stringStore().withLoggingDisabled().build(logged.context);
      store.put('a', '1');
      store.flush();
      expect(logged.changelog).toEqual([]);
      const withoutSink = storeContextFixture({ logged: false });
      const other = stringStore().build(withoutSink.context);
      other.put('a', '1');
      expect(other.get('a')).toBe('1');
    });
  });

  describe('flush listener', () => {
    it('is refused without caching: the caller forwards each update itself', () => {
      const store = stringStore().build(storeContextFixture().context);
      expect(store.setFlushListener(() => undefined)).toBe(false);
    });

    it('gets one call per changed key per flush, with the value before the first update as oldValue', async () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled().build(fixture.context);
      const updates: unknown[] = [];
      expect(store.setFlushListener((key, newValue, oldValue, ts) => updates.push([key, newValue, oldValue, ts]))).toBe(
        true,
      );
      fixture.processing({ timestamp: 10 });
      store.put('a', '1');
      store.put('b', '1');
      store.flush();
      await store.persist(2);
      fixture.processing({ timestamp: 20 });
      store.put('a', '2');
      store.put('a', '3');
      store.delete('b');
      store.put('new', 'x');
      store.delete('new');
      store.flush();
      store.flush();
      expect(updates).toEqual([
        ['a', '1', null, 10],
        ['b', '1', null, 10],
        ['a', '3', '1', 20],
        ['b', null, '1', 20],
      ]);
    });

    it('sees the flushed store from the listener, and writes made there wait for the next flush', () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled().build(fixture.context);
      const seen: unknown[] = [];
      store.setFlushListener((key) => {
        seen.push([key, store.get('a'), store.get('b')]);
        if (key === 'a') store.put('from-listener', 'y');
      });
      store.put('a', '1');
      store.put('b', '2');
      store.flush();
      expect(seen).toEqual([
        ['a', '1', '2'],
        ['b', '1', '2'],
      ]);
      expect(fixture.changelog.map((r) => r.key)).toEqual(['a', 'b']);
      store.flush();
      expect(fixture.changelog.map((r) => r.key)).toEqual(['a', 'b', 'from-listener']);
    });
  });

  describe('byte budget', () => {
    it('asks for a commit once the cache outgrows its budget, and again after a commit frees it', async () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled({ maxBytes: 5_000 }).build(fixture.context);
      for (let i = 0; i < 5; i++) store.put(`key-${i}`, 'v'.repeat(10));
      expect(fixture.commitRequests).toBe(0);
      store.put('big', 'v'.repeat(3_000));
      store.put('big-2', 'v'.repeat(3_000));
      expect(fixture.commitRequests).toBe(1);
      expect(fixture.bytesStores.get('counts')!.approximateCount()).toBe(0); // nothing spilled to disk
      store.flush();
      await store.persist(1);
      store.put('big', 'v'.repeat(6_000));
      expect(fixture.commitRequests).toBe(2);
    });

    it('counts the objects holding each entry, not only its bytes', () => {
      const fixture = storeContextFixture();
      // 100 one-byte keys with one-byte values: 300 bytes of data, but tens of kilobytes of heap.
      const store = stringStore().withCachingEnabled({ maxBytes: 20_000 }).build(fixture.context);
      for (let i = 0; i < 100; i++) store.put(String.fromCharCode(65 + (i % 58)) + String(i), 'v');
      expect(fixture.commitRequests).toBe(1);
    });

    it('counts a key written again once, by its newest value', () => {
      const fixture = storeContextFixture();
      const store = stringStore().withCachingEnabled({ maxBytes: 1_000 }).build(fixture.context);
      for (let i = 0; i < 1_000; i++) store.put('same', String(i));
      expect(fixture.commitRequests).toBe(0);
    });

    it('bounds the write buffer the same way without caching, using the context budget', async () => {
      const fixture = storeContextFixture({ cacheMaxBytes: 1_000 });
      const store = stringStore().build(fixture.context);
      store.put('a', 'v'.repeat(600));
      expect(fixture.commitRequests).toBe(1);
      store.put('b', 'v');
      expect(fixture.commitRequests).toBe(1);
      store.flush();
      await store.persist();
      store.put('c', 'v'.repeat(600));
      expect(fixture.commitRequests).toBe(2);
    });
  });

  describe('serdes', () => {
    const failing: Serde<string> = {
      serialize: () => {
        throw new Error('cannot encode');
      },
      deserialize: () => {
        throw new Error('cannot decode');
      },
    };

    it('serializes a primitive key once for a read followed by a write, and an object key every time', () => {
      const fixture = storeContextFixture();
      let serialized = 0;
      const counting: Serde<string> = {
        serialize: (topic, key) => {
          serialized++;
          return Serdes.string().serialize(topic, key);
        },
        deserialize: (topic, bytes) => Serdes.string().deserialize(topic, bytes),
      };
      const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), counting, Serdes.string())
        .withCachingEnabled()
        .build(fixture.context);
      store.get('a');
      store.put('a', '1');
      expect(serialized).toBe(1);
      store.put('b', '1');
      expect(serialized).toBe(2);

      const json = Serdes.json<{ id: string }>();
      const objects = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('o'), json, Serdes.string()).build(
        fixture.context,
      );
      const key = { id: 'x' };
      objects.put(key, '1');
      key.id = 'y';
      objects.put(key, '2');
      expect([...objects.all()].map((e) => [e.key.id, e.value])).toEqual([
        ['x', '1'],
        ['y', '2'],
      ]);

      // 0 and -0 are equal to ===, but a double serde writes them as different bytes: different keys.
      const doubles = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('d'), Serdes.double(), Serdes.string())
        .withCachingEnabled()
        .build(fixture.context);
      doubles.put(0, 'zero');
      expect(doubles.get(-0)).toBeUndefined();
    });

    it('reports a failing key or value serde as a KStreamsError naming the store', async () => {
      const fixture = storeContextFixture();
      const badKeys = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), failing, Serdes.string()).build(
        fixture.context,
      );
      expect(() => badKeys.put('k', 'v')).toThrow(
        expect.objectContaining({ code: 'SERDE_SERIALIZATION_FAILED', message: expect.stringContaining('"s"') }),
      );
      const badValues = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('t'), Serdes.string(), failing);
      const store = badValues.build(fixture.context);
      expect(() => store.put('k', 'v')).toThrow(KStreamsError);
      await fixture.bytesStores.get('t')!.commit([{ key: b('k'), value: b('stored') }]);
      expect(() => store.get('k')).toThrow(expect.objectContaining({ code: 'SERDE_DESERIALIZATION_FAILED' }));
    });

    it('passes a serde KStreamsError through, and rejects null keys', () => {
      const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('n'), Serdes.json<number>(), Serdes.long())
        .withCachingEnabled()
        .build(storeContextFixture().context);
      expect(() => store.put(1, 'x' as unknown as number)).toThrow(
        expect.objectContaining({ code: 'SERDE_SERIALIZATION_FAILED' }),
      );
      expect(() => store.put(null as unknown as number, 1)).toThrow(
        expect.objectContaining({ code: 'SERDE_SERIALIZATION_FAILED', message: expect.stringContaining('null key') }),
      );
    });

    it('gives the serdes the changelog topic name, and orders scans by serialized key bytes', () => {
      const topics = new Set<string>();
      const int32: Serde<number> = {
        serialize: (topic, value) => {
          topics.add(topic);
          if (value === null || value === undefined) return null;
          const bytes = Buffer.alloc(4);
          bytes.writeUInt32BE(value);
          return bytes;
        },
        deserialize: (_topic, data) => (data === null || data === undefined ? null : data.readUInt32BE(0)),
      };
      const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('ints'), int32, Serdes.string()).build(
        storeContextFixture().context,
      );
      for (const key of [300, 2, 70_000, 1]) store.put(key, String(key));
      expect(keysOf(store.all())).toEqual([1, 2, 300, 70_000]);
      expect(keysOf(store.range(2, 70_000))).toEqual([2, 300]);
      expect([...topics]).toEqual(['app-ints-changelog']);
    });
  });

  it('times operations through the metrics hooks', async () => {
    const fixture = storeContextFixture();
    const store = stringStore().build(fixture.context);
    store.put('a', '1');
    store.get('a');
    [...store.range()];
    store.flush();
    await store.persist(1);
    expect(fixture.operations).toEqual(['put', 'get', 'range', 'flush', 'persist']);
  });
});

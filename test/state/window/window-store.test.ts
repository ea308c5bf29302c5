import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import { Stores } from '../../../src/state/stores.ts';
import type { WindowStoreOptions } from '../../../src/state/window/window-bytes-store-supplier.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

const minute = 60_000;

/** The documented layout, built by hand: key bytes, 8-byte big-endian start, then a 4-byte sequence. */
function windowKey(key: string, start: number, sequence?: number): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigInt64BE(BigInt(start));
  const parts = [Buffer.from(key), time];
  if (sequence !== undefined) {
    const seq = Buffer.alloc(4);
    seq.writeUInt32BE(sequence);
    parts.push(seq);
  }
  return Buffer.concat(parts);
}

function windowStore(options: Partial<WindowStoreOptions> = {}, name = 'clicks') {
  return Stores.windowStoreBuilder(
    Stores.inMemoryWindowStore(name, { retentionMs: 10 * minute, windowSizeMs: minute, ...options }),
    Serdes.string(),
    Serdes.string(),
  );
}

describe('window store', () => {
  it('fetches one key’s windows with start in [from, to], both bounds inclusive, in time order', () => {
    const store = windowStore().build();
    for (const start of [3_000, 1_000, 2_000, 4_000]) store.put('a', `a@${start}`, start);
    store.put('b', 'b@2000', 2_000);

    expect([...store.fetch('a', 2_000, 3_000)]).toEqual([
      { windowStart: 2_000, value: 'a@2000' },
      { windowStart: 3_000, value: 'a@3000' },
    ]);
    expect([...store.fetch('a', 0, 10_000)].map((w) => w.windowStart)).toEqual([1_000, 2_000, 3_000, 4_000]);
    expect([...store.backwardFetch('a', 1_500, 4_000)].map((w) => w.windowStart)).toEqual([4_000, 3_000, 2_000]);
    expect([...store.fetch('a', 3_001, 3_999)]).toEqual([]);
    expect([...store.fetch('a', 4_000, 1_000)]).toEqual([]);
    expect(store.fetch('a', 2_000)).toBe('a@2000');
    expect(store.fetch('a', 2_001)).toBeUndefined();
    expect(store.fetch('c', 2_000)).toBeUndefined();
  });

  it('keeps a key apart from longer keys that start with its bytes', () => {
    const store = windowStore().build();
    // "a" + these bytes would fall inside the byte range of key "a" were the suffix length not checked.
    const longer = `a${'\x00'.repeat(8)}`;
    store.put('a', 'short', 5);
    store.put(longer, 'long', 0);
    store.put('ab', 'other', 5);
    expect([...store.fetch('a', 0, 100)]).toEqual([{ windowStart: 5, value: 'short' }]);
    expect([...store.fetch(longer, 0, 100)]).toEqual([{ windowStart: 0, value: 'long' }]);
  });

  it('replaces a window’s value on put and deletes it on a null put', () => {
    const fixture = storeContextFixture();
    const store = windowStore().build(fixture.context);
    store.put('a', '1', 1_000);
    store.put('a', '2', 1_000);
    expect([...store.fetch('a', 0, 2_000)]).toEqual([{ windowStart: 1_000, value: '2' }]);
    store.put('a', null, 1_000);
    store.put('a', null, 7_000); // never there: nothing to log
    expect(store.fetch('a', 1_000)).toBeUndefined();
    expect(fixture.changelogBytes).toEqual([
      { key: windowKey('a', 1_000), value: Buffer.from('1') },
      { key: windowKey('a', 1_000), value: Buffer.from('2') },
      { key: windowKey('a', 1_000), value: null },
    ]);
  });

  it('fetches every key’s windows by start time, with window ends from the window size', () => {
    const store = windowStore({ windowSizeMs: 500 }).build();
    store.put('b', 'b1', 1_000);
    store.put('a', 'a2', 2_000);
    store.put('a', 'a1', 1_000);
    store.put('c', 'c3', 3_000);

    expect([...store.fetchAll(1_000, 2_000)]).toEqual([
      { key: 'a', window: { start: 1_000, end: 1_500 }, value: 'a1' },
      { key: 'a', window: { start: 2_000, end: 2_500 }, value: 'a2' },
      { key: 'b', window: { start: 1_000, end: 1_500 }, value: 'b1' },
    ]);
    expect([...store.backwardFetchAll(2_000, 3_000)].map((e) => `${e.key}@${e.window.start}`)).toEqual([
      'c@3000',
      'a@2000',
    ]);
    expect([...store.all()].map((e) => `${e.key}@${e.window.start}`)).toEqual(['a@1000', 'a@2000', 'b@1000', 'c@3000']);
    expect([...store.backwardAll()].map((e) => e.key)).toEqual(['c', 'b', 'a', 'a']);
  });

  it('retains duplicates in put order, with a sequence number in the key, and ignores null puts', () => {
    const fixture = storeContextFixture();
    const store = windowStore({ retainDuplicates: true }).build(fixture.context);
    store.put('k', 'first', 1_000);
    store.put('k', 'second', 1_000);
    store.put('k', 'earlier', 500);
    store.put('k', null, 1_000);
    store.put('k', 'third', 1_000);

    expect([...store.fetch('k', 0, 1_000)].map((w) => `${w.windowStart}:${w.value}`)).toEqual([
      '500:earlier',
      '1000:first',
      '1000:second',
      '1000:third',
    ]);
    expect(store.fetch('k', 1_000)).toBe('first');
    expect([...store.backwardFetch('k', 0, 1_000)].map((w) => w.value)).toEqual([
      'third',
      'second',
      'first',
      'earlier',
    ]);
    expect(fixture.changelogBytes.map((record) => record.key)).toEqual([
      windowKey('k', 1_000, 0),
      windowKey('k', 1_000, 1),
      windowKey('k', 500, 2),
      windowKey('k', 1_000, 3),
    ]);
  });

  it('expires windows as stream time (the largest start written) passes start + retention', () => {
    const store = windowStore({ retentionMs: 10_000, windowSizeMs: 1_000 }).build();
    store.put('a', 'old', 1_000);
    store.put('a', 'mid', 5_000);
    store.put('b', 'now', 11_000); // stream time 11000: start 1000 <= 11000 - 10000 has expired
    expect([...store.fetch('a', 0, 20_000)].map((w) => w.value)).toEqual(['mid']);
    expect(store.fetch('a', 1_000)).toBeUndefined();
    expect([...store.all()].map((e) => e.value)).toEqual(['mid', 'now']);

    store.put('a', 'late', 1_000); // already expired: dropped
    store.put('a', 'in time', 1_001);
    expect([...store.fetch('a', 0, 20_000)].map((w) => w.value)).toEqual(['in time', 'mid']);

    store.put('c', 'later', 15_000); // 5000 <= 15000 - 10000: 'in time' and 'mid' expire too
    expect([...store.fetchAll(0, 20_000)].map((e) => e.value)).toEqual(['now', 'later']);
    expect(store.fetch('a', 5_000)).toBeUndefined();
  });

  it('does not expire anything on the wall clock or on reads', () => {
    const store = windowStore({ retentionMs: 1_000, windowSizeMs: 1_000 }).build();
    store.put('a', 'v', 5);
    for (let i = 0; i < 3; i++) expect(store.fetch('a', 5)).toBe('v');
  });

  it('deletes expired segments from the bytes store at commit, without logging the deletes', async () => {
    const fixture = storeContextFixture();
    // Retention of 2 minutes gives 1-minute segments.
    const store = windowStore({ retentionMs: 2 * minute, windowSizeMs: minute }).build(fixture.context);
    store.put('a', 'm0', 0);
    store.put('b', 'm0', 30_000);
    store.put('a', 'm1', minute);
    store.flush();
    await store.persist(1);
    const bytes = fixture.bytesStores.get('clicks')!;
    const storedKeys = () => [...bytes.range()].map((entry) => entry.key);
    // Segment id (8 bytes) + windowed key, and one meta entry after all segments.
    expect(storedKeys()).toEqual([
      Buffer.concat([Buffer.alloc(8), windowKey('a', 0)]),
      Buffer.concat([Buffer.alloc(8), windowKey('b', 30_000)]),
      Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), windowKey('a', minute)]),
      Buffer.from('\xffsegmented-store-meta', 'latin1'),
    ]);
    const logged = fixture.changelogBytes.length;

    store.put('c', 'm3', 3 * minute); // live from 1 minute + 1 ms: segment 0 is wholly expired
    expect(storedKeys()).toHaveLength(4); // nothing reaches the bytes store before commit
    store.flush();
    await store.persist(2);
    expect(storedKeys()).toEqual([
      Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), windowKey('a', minute)]),
      Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 3]), windowKey('c', 3 * minute)]),
      Buffer.from('\xffsegmented-store-meta', 'latin1'),
    ]);
    expect(fixture.changelogBytes.slice(logged)).toEqual([
      { key: windowKey('c', 3 * minute), value: Buffer.from('m3') },
    ]);
    expect(bytes.changelogOffset()).toBe(2);
  });

  it('refuses negative or fractional window starts and bad query bounds', () => {
    const store = windowStore().build();
    expect(() => store.put('a', 'v', -1)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
    expect(() => store.put('a', 'v', 1.5)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
    expect(() => store.fetch('a', Number.NaN, 5)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
    store.put('a', 'v', 0);
    // Out-of-range bounds are clamped rather than refused.
    expect([...store.fetch('a', Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)]).toEqual([
      { windowStart: 0, value: 'v' },
    ]);
    expect(store.fetch('a', -5)).toBeUndefined();
  });

  it('orders windows by time across the whole int53 range (big-endian, non-negative)', () => {
    const store = windowStore({ retentionMs: Number.MAX_SAFE_INTEGER, windowSizeMs: 1 }).build();
    const starts = [0, 255, 256, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER - 1];
    for (const start of [...starts].reverse()) store.put('k', String(start), start);
    expect([...store.fetch('k', 0, Number.MAX_SAFE_INTEGER)].map((w) => w.windowStart)).toEqual(starts);
    expect([...store.fetch('k', 256, 2 ** 32)].map((w) => w.value)).toEqual([
      '256',
      '2147483648',
      '4294967295',
      '4294967296',
    ]);
  });

  it('restores changelog records, skipping those expired by the batch’s stream time', async () => {
    const fixture = storeContextFixture();
    const store = windowStore({ retentionMs: 2 * minute, windowSizeMs: minute }).build(fixture.context);
    await store.restore(
      [
        { key: windowKey('a', 0), value: Buffer.from('gone') },
        { key: windowKey('a', 2 * minute), value: Buffer.from('kept') },
        { key: windowKey('b', 2 * minute), value: Buffer.from('deleted') },
        { key: windowKey('b', 2 * minute), value: null },
        { key: windowKey('c', 3 * minute), value: Buffer.from('newest') },
      ],
      5,
    );
    expect(fixture.changelog).toEqual([]);
    expect(store.changelogOffset()).toBe(5);
    expect([...store.all()].map((e) => `${e.key}@${e.window.start}=${e.value}`)).toEqual([
      'a@120000=kept',
      'c@180000=newest',
    ]);
    // Stream time came back with the batch: a put far in the past is dropped.
    store.put('a', 'late', 0);
    expect(store.fetch('a', 0)).toBeUndefined();
    expect(
      [...fixture.bytesStores.get('clicks')!.range()].some((entry) => entry.key.subarray(8).equals(windowKey('a', 0))),
    ).toBe(false);
  });

  it('refuses to restore a changelog whose keys are too short to be window keys', async () => {
    const store = windowStore().build(storeContextFixture().context);
    await expect(store.restore([{ key: Buffer.from('abc'), value: Buffer.from('v') }], 1)).rejects.toMatchObject({
      code: 'STATE_STORE_CORRUPT',
    });
  });

  it('with caching, logs and forwards each changed window once per flush, with its old value', async () => {
    const fixture = storeContextFixture();
    const store = windowStore({ windowSizeMs: 1_000 }).withCachingEnabled().build(fixture.context);
    const forwarded: string[] = [];
    expect(
      store.setFlushListener((windowed, newValue, oldValue) =>
        forwarded.push(`${windowed.key}[${windowed.window.start},${windowed.window.end}) ${oldValue} -> ${newValue}`),
      ),
    ).toBe(true);
    store.put('a', '1', 0);
    store.put('a', '2', 0);
    store.put('b', '1', 1_000);
    expect([...store.fetch('a', 0, 0)]).toEqual([{ windowStart: 0, value: '2' }]);
    expect(fixture.changelog).toEqual([]);
    store.flush();
    expect(forwarded).toEqual(['a[0,1000) null -> 2', 'b[1000,2000) null -> 1']);
    expect(fixture.changelogBytes.map((record) => record.key)).toEqual([windowKey('a', 0), windowKey('b', 1_000)]);
    await store.persist(1);
    store.put('a', '3', 0);
    store.put('b', null, 1_000);
    store.flush();
    expect(forwarded.slice(2)).toEqual(['a[0,1000) 2 -> 3', 'b[1000,2000) 1 -> null']);
  });

  it('without caching, reports that the caller forwards updates itself', () => {
    expect(
      windowStore()
        .build(storeContextFixture().context)
        .setFlushListener(() => undefined),
    ).toBe(false);
  });

  it('stamps changelog records with the record being processed', () => {
    const fixture = storeContextFixture();
    const store = windowStore().build(fixture.context);
    const source = { topic: 'clicks', partition: 1, offset: 42 };
    fixture.processing({ timestamp: 1_234, source });
    store.put('a', 'v', 1_000);
    expect(fixture.changelog).toEqual([expect.objectContaining({ store: 'clicks', timestamp: 1_234, source })]);
  });

  it('times operations when metrics are given', async () => {
    const fixture = storeContextFixture();
    const store = windowStore().build(fixture.context);
    store.put('a', 'v', 0);
    store.fetch('a', 0);
    store.fetch('a', 0, 1);
    store.flush();
    await store.persist(1);
    expect(fixture.operations).toEqual(['put', 'get', 'range', 'flush', 'persist']);
  });
});

describe('window store builder', () => {
  it('follows Kafka Streams defaults and sets the changelog to compact,delete with retention + 1 day', () => {
    const builder = windowStore({ retentionMs: 3_600_000 });
    expect(builder).toMatchObject({
      name: 'clicks',
      persistent: false,
      loggingEnabled: true,
      cachingEnabled: false,
      retentionMs: 3_600_000,
      windowSizeMs: minute,
      retainDuplicates: false,
    });
    const expected = { 'cleanup.policy': 'compact,delete', 'retention.ms': String(3_600_000 + 86_400_000) };
    expect(builder.changelogConfigs).toEqual(expected);
    expect(builder.loggingConfigs).toEqual(expected);
    const tuned = builder.withLoggingEnabled({ 'retention.ms': '1', 'segment.ms': '2' }).withCachingEnabled();
    expect(tuned.changelogConfigs).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '1',
      'segment.ms': '2',
    });
    expect(tuned.cachingEnabled).toBe(true);
    expect(builder.cachingEnabled).toBe(false);
    expect(tuned.withLoggingDisabled().loggingEnabled).toBe(false);
    expect(tuned.withCachingDisabled().cachingEnabled).toBe(false);
    expect(Stores.persistentWindowStore('p', { retentionMs: 2, windowSizeMs: 1 }).persistent).toBe(true);
  });

  it('refuses a retention shorter than the window size, and non-positive durations', () => {
    const invalid = expect.objectContaining({ code: 'CONFIG_INVALID' });
    expect(() => Stores.inMemoryWindowStore('w', { retentionMs: 999, windowSizeMs: 1_000 })).toThrow(invalid);
    expect(() => Stores.persistentWindowStore('w', { retentionMs: 1_000, windowSizeMs: 0 })).toThrow(invalid);
    expect(() => Stores.persistentWindowStore('w', { retentionMs: 1.5, windowSizeMs: 1 })).toThrow(invalid);
    expect(() => windowStore().withCachingEnabled({ maxBytes: -1 })).toThrow(invalid);
  });

  it('needs serdes and, for a persistent store, a context', () => {
    const supplier = Stores.persistentWindowStore('p', { retentionMs: 10, windowSizeMs: 1 });
    expect(() => Stores.windowStoreBuilder(supplier, Serdes.string()).build()).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => Stores.windowStoreBuilder(supplier, Serdes.string(), Serdes.string()).build()).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_STATE' }),
    );
    const fixture = storeContextFixture();
    const store = Stores.windowStoreBuilder<string, string>(supplier).build(fixture.context);
    store.put('k', 'v', 3);
    expect(store.fetch('k', 3)).toBe('v');
    expect(fixture.bytesStores.has('p')).toBe(true);
  });

  it('asks for an early commit when buffered writes pass the cache budget', () => {
    const fixture = storeContextFixture({ cacheMaxBytes: 1_000 });
    const store = windowStore().build(fixture.context);
    for (let i = 0; i < 20; i++) store.put(`key-${i}`, 'x'.repeat(50), i);
    expect(fixture.commitRequests).toBe(1);
  });
});

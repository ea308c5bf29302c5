import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import type { SessionEntry } from '../../../src/state/session/session-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import { int64 } from '../support/seeded-random.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

/** The documented layout, built by hand: key bytes, 8-byte big-endian end, 8-byte big-endian start. */
const sessionKey = (key: string, start: number, end: number): Buffer =>
  Buffer.concat([Buffer.from(key), int64(end), int64(start)]);

const spans = (entries: Iterable<SessionEntry<string, string>>): string[] =>
  [...entries].map(({ session, value }) => `${session.key}[${session.start},${session.end}]=${value}`);

function sessionStore(retentionMs = 1_000_000, name = 'visits') {
  return Stores.sessionStoreBuilder(
    Stores.inMemorySessionStore(name, { retentionMs }),
    Serdes.string(),
    Serdes.string(),
  );
}

describe('session store', () => {
  it('finds the sessions of a key that overlap or touch [earliest end, latest start]', () => {
    const store = sessionStore().build();
    store.put({ key: 'a', start: 0, end: 10 }, 'first');
    store.put({ key: 'a', start: 20, end: 30 }, 'second');
    store.put({ key: 'a', start: 50, end: 50 }, 'single');
    store.put({ key: 'b', start: 5, end: 25 }, 'other key');

    expect(spans(store.findSessions('a', 10, 20))).toEqual(['a[0,10]=first', 'a[20,30]=second']);
    expect(spans(store.findSessions('a', 11, 19))).toEqual([]);
    expect(spans(store.findSessions('a', 30, 50))).toEqual(['a[20,30]=second', 'a[50,50]=single']);
    expect(spans(store.findSessions('a', 31, 49))).toEqual([]);
    expect(spans(store.findSessions('a', 0, Number.MAX_SAFE_INTEGER))).toEqual([
      'a[0,10]=first',
      'a[20,30]=second',
      'a[50,50]=single',
    ]);
    expect(spans(store.backwardFindSessions('a', 10, 50))).toEqual([
      'a[50,50]=single',
      'a[20,30]=second',
      'a[0,10]=first',
    ]);
    expect(spans(store.findSessions('c', 0, 100))).toEqual([]);
  });

  it('supports session merging: a record bridging two sessions merges them into one', () => {
    const store = sessionStore().build();
    const gap = 5;
    // Session windowing with an inactivity gap, counting records per session.
    const record = (key: string, time: number) => {
      let start = time;
      let end = time;
      let count = 1;
      for (const { session, value } of [...store.findSessions(key, time - gap, time + gap)]) {
        start = Math.min(start, session.start);
        end = Math.max(end, session.end);
        count += Number(value);
        store.remove(session);
      }
      store.put({ key, start, end }, String(count));
    };
    record('k', 10);
    record('k', 14);
    record('k', 28);
    expect(spans(store.fetch('k'))).toEqual(['k[10,14]=2', 'k[28,28]=1']);
    record('k', 19); // 19 - 5 = 14 touches the first session's end; 19 + 5 < 28
    expect(spans(store.fetch('k'))).toEqual(['k[10,19]=3', 'k[28,28]=1']);
    record('k', 23); // 23 - 5 touches 19 and 23 + 5 touches 28: both merge
    expect(spans(store.fetch('k'))).toEqual(['k[10,28]=5']);
  });

  it('orders a key’s sessions by end, then start, and keeps keys that share a prefix apart', () => {
    const store = sessionStore().build();
    store.put({ key: 'a', start: 5, end: 20 }, 'x');
    store.put({ key: 'a', start: 1, end: 20 }, 'y');
    store.put({ key: 'a', start: 0, end: 3 }, 'z');
    store.put({ key: `a${'\x00'.repeat(16)}`, start: 0, end: 0 }, 'longer key');
    store.put({ key: 'ab', start: 4, end: 4 }, 'ab');
    expect(spans(store.fetch('a'))).toEqual(['a[0,3]=z', 'a[1,20]=y', 'a[5,20]=x']);
    expect(spans(store.backwardFetch('a'))).toEqual(['a[5,20]=x', 'a[1,20]=y', 'a[0,3]=z']);
    expect(store.fetchSession('a', 1, 20)).toBe('y');
    expect(store.fetchSession('a', 1, 21)).toBeUndefined();
    expect(store.fetchSession('a', 30, 20)).toBeUndefined();
  });

  it('removes sessions, logging a tombstone only for a session that was there', () => {
    const fixture = storeContextFixture();
    const store = sessionStore().build(fixture.context);
    store.put({ key: 'a', start: 1, end: 2 }, 'v');
    store.remove({ key: 'a', start: 1, end: 2 });
    store.remove({ key: 'a', start: 1, end: 2 });
    store.put({ key: 'a', start: 3, end: 4 }, 'w');
    store.put({ key: 'a', start: 3, end: 4 }, null);
    expect(spans(store.fetch('a'))).toEqual([]);
    expect(fixture.changelogBytes).toEqual([
      { key: sessionKey('a', 1, 2), value: Buffer.from('v') },
      { key: sessionKey('a', 1, 2), value: null },
      { key: sessionKey('a', 3, 4), value: Buffer.from('w') },
      { key: sessionKey('a', 3, 4), value: null },
    ]);
  });

  it('finds every key’s sessions ending in a time range', () => {
    const store = sessionStore().build();
    store.put({ key: 'b', start: 0, end: 10 }, '1');
    store.put({ key: 'a', start: 15, end: 20 }, '2');
    store.put({ key: 'a', start: 0, end: 5 }, '3');
    store.put({ key: 'c', start: 25, end: 30 }, '4');
    expect(spans(store.findAllSessions(5, 20))).toEqual(['a[0,5]=3', 'a[15,20]=2', 'b[0,10]=1']);
    expect(spans(store.all())).toEqual(['a[0,5]=3', 'a[15,20]=2', 'b[0,10]=1', 'c[25,30]=4']);
  });

  it('expires sessions once stream time (the largest end written) passes end + retention', () => {
    const store = sessionStore(100).build();
    store.put({ key: 'a', start: 0, end: 50 }, 'old');
    store.put({ key: 'a', start: 60, end: 70 }, 'kept');
    store.put({ key: 'b', start: 140, end: 150 }, 'new'); // 50 <= 150 - 100: expired
    expect(spans(store.fetch('a'))).toEqual(['a[60,70]=kept']);
    expect(store.fetchSession('a', 0, 50)).toBeUndefined();
    expect(spans(store.findSessions('a', 0, 100))).toEqual(['a[60,70]=kept']);
    store.put({ key: 'a', start: 0, end: 50 }, 'late'); // dropped
    expect(spans(store.all())).toEqual(['a[60,70]=kept', 'b[140,150]=new']);
    // A long session lives while its end is recent, however old its start.
    store.put({ key: 'c', start: 0, end: 149 }, 'long');
    expect(store.fetchSession('c', 0, 149)).toBe('long');
  });

  it('refuses sessions with negative or fractional times, or an end before the start', () => {
    const store = sessionStore().build();
    const invalid = expect.objectContaining({ code: 'INVALID_TIMESTAMP' });
    expect(() => store.put({ key: 'a', start: 5, end: 4 }, 'v')).toThrow(invalid);
    expect(() => store.put({ key: 'a', start: -1, end: 4 }, 'v')).toThrow(invalid);
    expect(() => store.put({ key: 'a', start: 0, end: 0.5 }, 'v')).toThrow(invalid);
    expect(() => store.findSessions('a', Number.NaN, 1)).toThrow(invalid);
  });

  it('restores changelog records with session keys, skipping expired ones', async () => {
    const fixture = storeContextFixture();
    const store = sessionStore(100).build(fixture.context);
    await store.restore(
      [
        { key: sessionKey('a', 0, 10), value: Buffer.from('expired') },
        { key: sessionKey('a', 100, 120), value: Buffer.from('kept') },
        { key: sessionKey('b', 150, 200), value: Buffer.from('newest') },
      ],
      4,
    );
    expect(fixture.changelog).toEqual([]);
    expect(store.changelogOffset()).toBe(4);
    expect(spans(store.all())).toEqual(['a[100,120]=kept', 'b[150,200]=newest']);
  });

  it('with caching, forwards each changed session once per flush with its old aggregate', () => {
    const fixture = storeContextFixture();
    const store = sessionStore().withCachingEnabled().build(fixture.context);
    const forwarded: string[] = [];
    expect(
      store.setFlushListener((session, newValue, oldValue) =>
        forwarded.push(`${session.key}[${session.start},${session.end}] ${oldValue} -> ${newValue}`),
      ),
    ).toBe(true);
    store.put({ key: 'a', start: 0, end: 0 }, '1');
    store.put({ key: 'a', start: 0, end: 0 }, '2');
    expect(fixture.changelog).toEqual([]);
    store.flush();
    store.remove({ key: 'a', start: 0, end: 0 });
    store.put({ key: 'a', start: 0, end: 5 }, '3');
    store.flush();
    expect(forwarded).toEqual(['a[0,0] null -> 2', 'a[0,0] 2 -> null', 'a[0,5] null -> 3']);
    expect(fixture.changelogBytes.map((record) => record.key)).toEqual([
      sessionKey('a', 0, 0),
      sessionKey('a', 0, 0),
      sessionKey('a', 0, 5),
    ]);
  });
});

describe('session store builder', () => {
  it('follows Kafka Streams defaults and sets the changelog to compact,delete with retention + 1 day', () => {
    const builder = sessionStore(600_000);
    expect(builder).toMatchObject({
      name: 'visits',
      persistent: false,
      loggingEnabled: true,
      cachingEnabled: false,
      retentionMs: 600_000,
    });
    expect(builder.changelogConfigs).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': '87000000' });
    expect(builder.withLoggingEnabled({ 'min.insync.replicas': '2' }).loggingConfigs).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '87000000',
      'min.insync.replicas': '2',
    });
    expect(builder.withCachingEnabled().withLoggingDisabled()).toMatchObject({
      cachingEnabled: true,
      loggingEnabled: false,
    });
    expect(Stores.persistentSessionStore('p', { retentionMs: 1 }).persistent).toBe(true);
  });

  it('refuses a retention that is not a positive whole number of milliseconds', () => {
    expect(() => Stores.persistentSessionStore('s', { retentionMs: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import type { BytesEntry } from '../../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';
import type { Session, SessionEntry } from '../../../src/state/session/session-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import { int64, latin1, seededRandom } from '../support/seeded-random.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

const retentionMs = 120_000;
const keys = ['a', 'ab', 'a\x00', 'b'];

/** The reference: sessions by (key, start, end), stream time, and the documented retention and order. */
class SessionModel {
  sessions = new Map<string, SessionEntry<string, string>>();
  streamTime = -1;

  put(session: Session<string>, value: string | null): void {
    this.streamTime = Math.max(this.streamTime, session.end);
    if (this.isExpired(session.end)) return;
    const id = `${session.key}|${session.start}|${session.end}`;
    if (value === null) this.sessions.delete(id);
    else this.sessions.set(id, { session, value });
  }

  isExpired(end: number): boolean {
    return end <= this.streamTime - retentionMs;
  }

  /** Live sessions in session-key byte order: key bytes, end, then start, both big-endian. */
  live(): SessionEntry<string, string>[] {
    const sortKey = ({ session }: SessionEntry<string, string>) =>
      Buffer.concat([Buffer.from(session.key, 'latin1'), int64(session.end), int64(session.start)]);
    return [...this.sessions.values()]
      .filter((entry) => !this.isExpired(entry.session.end))
      .sort((x, y) => Buffer.compare(sortKey(x), sortKey(y)));
  }

  find(key: string, earliestEnd: number, latestStart: number): SessionEntry<string, string>[] {
    return this.live().filter(
      ({ session }) => session.key === key && session.end >= earliestEnd && session.start <= latestStart,
    );
  }

  copy(): SessionModel {
    const copy = new SessionModel();
    copy.sessions = new Map(this.sessions);
    copy.streamTime = this.streamTime;
    return copy;
  }
}

describe.each([
  { caching: false, logging: true },
  { caching: true, logging: true },
  { caching: true, logging: false },
])('session store against a model (caching $caching, logging $logging)', ({ caching, logging }) => {
  it.each([1, 2, 3, 4])('agrees through random puts, merges, reads, commits and restarts (seed %i)', async (seed) => {
    const next = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    let bytes = new InMemoryBytesStore('sessions');
    const fixture = storeContextFixture({ cacheMaxBytes: 4_000, openBytesStore: () => bytes });
    const supplier = Stores.inMemorySessionStore('sessions', { retentionMs });
    let builder = Stores.sessionStoreBuilder(supplier, latin1, Serdes.string());
    builder = caching ? builder.withCachingEnabled() : builder;
    builder = logging ? builder : builder.withLoggingDisabled();
    let store = builder.build(fixture.context);

    let model = new SessionModel();
    let flushed = model.copy();
    let persisted = model.copy();
    let replayBase: BytesEntry[] = [];
    let changelogFrom = 0;
    let offset = 0;

    for (let step = 0; step < 500; step++) {
      const now = step * 1_000;
      const randomTime = () => Math.max(0, now - 130_000 + Math.floor(next() * 160_000));
      const randomSession = (): Session<string> => {
        const start = randomTime();
        return { key: pick(keys), start, end: start + Math.floor(next() * 20_000) };
      };
      const roll = next();
      if (roll < 0.25) {
        const session = randomSession();
        const value = next() < 0.1 ? null : `v${step}`;
        store.put(session, value);
        model.put(session, value);
      } else if (roll < 0.35) {
        const live = model.live();
        const session = live.length > 0 && next() < 0.8 ? pick(live).session : randomSession();
        store.remove(session);
        model.put(session, null);
      } else if (roll < 0.5) {
        // Session windowing with a 5 s gap: find the sessions a record at `time` touches and merge them.
        const [key, time] = [pick(keys), randomTime()];
        const found = [...store.findSessions(key, time - 5_000, time + 5_000)];
        expect(found).toEqual(model.find(key, time - 5_000, time + 5_000));
        let merged: Session<string> = { key, start: time, end: time };
        for (const { session } of found) {
          merged = { key, start: Math.min(merged.start, session.start), end: Math.max(merged.end, session.end) };
          store.remove(session);
          model.put(session, null);
        }
        store.put(merged, `m${step}`);
        model.put(merged, `m${step}`);
      } else if (roll < 0.6) {
        const key = pick(keys);
        const [earliestEnd, latestStart] = [randomTime(), randomTime()];
        expect([...store.findSessions(key, earliestEnd, latestStart)]).toEqual(
          model.find(key, earliestEnd, latestStart),
        );
        expect([...store.backwardFindSessions(key, earliestEnd, latestStart)]).toEqual(
          model.find(key, earliestEnd, latestStart).reverse(),
        );
        expect([...store.fetch(key)]).toEqual(model.find(key, 0, Number.POSITIVE_INFINITY));
      } else if (roll < 0.66) {
        const live = model.live();
        const session = live.length > 0 && next() < 0.7 ? pick(live).session : randomSession();
        expect(store.fetchSession(session.key, session.start, session.end)).toBe(
          model
            .find(session.key, 0, Number.POSITIVE_INFINITY)
            .find((entry) => entry.session.start === session.start && entry.session.end === session.end)?.value,
        );
      } else if (roll < 0.72) {
        const from = randomTime();
        const to = from + Math.floor(next() * 60_000);
        const ending = model.live().filter(({ session }) => session.end >= from && session.end <= to);
        expect([...store.findAllSessions(from, to)]).toEqual(ending);
        expect([...store.all()]).toEqual(model.live());
      } else if (roll < 0.82) {
        store.flush();
        flushed = model.copy();
        if (logging) {
          const replica = Stores.sessionStoreBuilder(supplier, latin1, Serdes.string()).build();
          await replica.restore([...replayBase, ...fixture.changelogBytes.slice(changelogFrom)], 1);
          const live = [...replica.all()].filter((entry) => !flushed.isExpired(entry.session.end));
          expect(live).toEqual(flushed.live());
        }
      } else if (roll < 0.92) {
        offset++;
        await store.persist(offset);
        persisted = flushed.copy();
        expect(bytes.changelogOffset()).toBe(offset);
      } else {
        const committed = [...bytes.range()];
        const committedOffset = bytes.changelogOffset();
        await store.close();
        bytes = new InMemoryBytesStore('sessions');
        await bytes.commit(committed, committedOffset);
        store = builder.build(fixture.context);
        model = persisted.copy();
        flushed = persisted.copy();
        expect([...store.all()]).toEqual(model.live());
        replayBase = committed
          .filter((e) => e.key[0] !== 0xff)
          .map((e) => ({ key: e.key.subarray(8), value: e.value }));
        changelogFrom = fixture.changelogBytes.length;
      }
    }
    expect([...store.all()]).toEqual(model.live());
  });
});

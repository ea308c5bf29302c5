import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import type { BytesEntry } from '../../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import type { WindowedEntry, WindowValue } from '../../../src/state/window/window-store.ts';
import { int64, latin1, seededRandom } from '../support/seeded-random.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

const retentionMs = 120_000;
const windowSizeMs = 10_000;
const segmentIntervalMs = 60_000; // the default for this retention: max(retention / 2, 1 minute)
const keys = ['a', 'ab', 'a\x00', 'b', '\xff'];

interface ModelWindow {
  readonly key: string;
  readonly start: number;
  /** With duplicates, the sequence number the store gives each put (put order). */
  readonly sequence: number;
  readonly value: string;
}

/** The reference: a list of windows, stream time, and the documented retention and ordering rules. */
class WindowModel {
  windows: ModelWindow[] = [];
  streamTime = -1;
  sequence = 0;
  readonly #duplicates: boolean;

  constructor(duplicates: boolean) {
    this.#duplicates = duplicates;
  }

  put(key: string, value: string | null, start: number): void {
    if (this.#duplicates && value === null) return;
    this.streamTime = Math.max(this.streamTime, start);
    if (this.isExpired(start)) return;
    if (!this.#duplicates) this.windows = this.windows.filter((w) => !(w.key === key && w.start === start));
    if (value !== null) this.windows.push({ key, start, sequence: this.#duplicates ? this.sequence++ : 0, value });
  }

  isExpired(start: number): boolean {
    return start <= this.streamTime - retentionMs;
  }

  /** Live windows in windowed-key byte order: key bytes, start big-endian, then the 4-byte sequence. */
  live(): ModelWindow[] {
    const sequence = (w: ModelWindow) => (this.#duplicates ? [int64(w.sequence).subarray(4)] : []);
    const sortKey = (w: ModelWindow) => Buffer.concat([Buffer.from(w.key, 'latin1'), int64(w.start), ...sequence(w)]);
    return this.windows.filter((w) => !this.isExpired(w.start)).sort((x, y) => Buffer.compare(sortKey(x), sortKey(y)));
  }

  fetch(key: string, from: number, to: number): WindowValue<string>[] {
    return this.live()
      .filter((w) => w.key === key && w.start >= from && w.start <= to)
      .map((w) => ({ windowStart: w.start, value: w.value }));
  }

  fetchAll(from: number, to: number): WindowedEntry<string, string>[] {
    return this.live()
      .filter((w) => w.start >= from && w.start <= to)
      .map((w) => ({ key: w.key, window: { start: w.start, end: w.start + windowSizeMs }, value: w.value }));
  }

  copy(): WindowModel {
    const copy = new WindowModel(this.#duplicates);
    copy.windows = [...this.windows];
    copy.streamTime = this.streamTime;
    copy.sequence = this.sequence;
    return copy;
  }
}

const segmentOf = (stored: Buffer): number => Number(stored.readBigInt64BE(0));
const isMeta = (stored: Buffer): boolean => stored[0] === 0xff;

describe.each([
  { caching: false, logging: true, duplicates: false },
  { caching: true, logging: true, duplicates: false },
  { caching: true, logging: false, duplicates: false },
  { caching: false, logging: true, duplicates: true },
  { caching: true, logging: true, duplicates: true },
])(
  'window store against a model (caching $caching, logging $logging, duplicates $duplicates)',
  ({ caching, logging, duplicates }) => {
    it.each([1, 2, 3, 4])('agrees through random puts, reads, commits and restarts (seed %i)', async (seed) => {
      const next = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      let bytes = new InMemoryBytesStore('windows');
      const fixture = storeContextFixture({ cacheMaxBytes: 4_000, openBytesStore: () => bytes });
      const supplier = Stores.inMemoryWindowStore('windows', {
        retentionMs,
        windowSizeMs,
        retainDuplicates: duplicates,
      });
      let builder = Stores.windowStoreBuilder(supplier, latin1, Serdes.string());
      builder = caching ? builder.withCachingEnabled() : builder;
      builder = logging ? builder : builder.withLoggingDisabled();
      let store = builder.build(fixture.context);

      let model = new WindowModel(duplicates);
      let flushed = model.copy();
      let persisted = model.copy();
      // What the store held when it was last opened, as changelog records: replay starts from there.
      let replayBase: BytesEntry[] = [];
      let changelogFrom = 0;
      let offset = 0;

      for (let step = 0; step < 500; step++) {
        const now = step * 1_000;
        const randomStart = () => Math.max(0, now - 130_000 + Math.floor(next() * 160_000));
        const roll = next();
        if (roll < 0.45) {
          const [key, start] = [pick(keys), randomStart()];
          const value = next() < 0.15 ? null : `v${step}`;
          store.put(key, value, start);
          model.put(key, value, start);
        } else if (roll < 0.55) {
          const [key, start] = [pick(keys), randomStart()];
          expect(store.fetch(key, start)).toBe(model.fetch(key, start, start)[0]?.value);
        } else if (roll < 0.65) {
          const key = pick(keys);
          const from = randomStart();
          const to = from + Math.floor(next() * 60_000);
          expect([...store.fetch(key, from, to)]).toEqual(model.fetch(key, from, to));
          expect([...store.backwardFetch(key, from, to)]).toEqual(model.fetch(key, from, to).reverse());
        } else if (roll < 0.72) {
          const from = randomStart();
          const to = from + Math.floor(next() * 60_000);
          expect([...store.fetchAll(from, to)]).toEqual(model.fetchAll(from, to));
          expect([...store.all()]).toEqual(model.fetchAll(0, Number.POSITIVE_INFINITY));
          expect([...store.backwardAll()]).toEqual(model.fetchAll(0, Number.POSITIVE_INFINITY).reverse());
        } else if (roll < 0.82) {
          store.flush();
          flushed = model.copy();
          if (logging) {
            // Replaying the changelog over the opened state gives the flushed windows (those still live).
            const replica = Stores.windowStoreBuilder(supplier, latin1, Serdes.string()).build();
            await replica.restore([...replayBase, ...fixture.changelogBytes.slice(changelogFrom)], 1);
            const live = [...replica.all()].filter((entry) => !flushed.isExpired(entry.window.start));
            expect(live).toEqual(flushed.fetchAll(0, Number.POSITIVE_INFINITY));
          }
        } else if (roll < 0.92) {
          offset++;
          await store.persist(offset);
          persisted = flushed.copy();
          expect(bytes.changelogOffset()).toBe(offset);
          // Whole segments before the live range are gone from the bytes store.
          const liveFrom = Math.floor(Math.max(0, persisted.streamTime - retentionMs + 1) / segmentIntervalMs);
          for (const entry of bytes.range())
            if (!isMeta(entry.key)) expect(segmentOf(entry.key)).toBeGreaterThanOrEqual(liveFrom);
        } else {
          // A restart: unpersisted writes are gone; the new store starts from the last persist, stream time included.
          const committed = [...bytes.range()];
          const committedOffset = bytes.changelogOffset();
          await store.close();
          bytes = new InMemoryBytesStore('windows');
          await bytes.commit(committed, committedOffset);
          store = builder.build(fixture.context);
          model = persisted.copy();
          flushed = persisted.copy();
          expect([...store.all()]).toEqual(model.fetchAll(0, Number.POSITIVE_INFINITY));
          replayBase = committed
            .filter((entry) => !isMeta(entry.key))
            .map((e) => ({ key: e.key.subarray(8), value: e.value }));
          changelogFrom = fixture.changelogBytes.length;
        }
      }
      expect([...store.all()]).toEqual(model.fetchAll(0, Number.POSITIVE_INFINITY));
    });
  },
);

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BytesEntry, BytesStore, BytesWrite } from '../../../src/state/bytes-store.ts';

/** Makes a fresh, empty store for one test and disposes of it (and anything on disk) afterwards. */
export interface BytesStoreFixture {
  open(name: string): BytesStore;
  dispose(): Promise<void>;
}

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const bytes = (...values: number[]): Buffer => Buffer.from(values);
const put = (key: Buffer, value: Buffer | string): BytesWrite => ({
  key,
  value: typeof value === 'string' ? b(value) : value,
});
const del = (key: Buffer): BytesWrite => ({ key, value: null });
const keysOf = (entries: Iterable<BytesEntry>): string[] => [...entries].map((entry) => entry.key.toString('hex'));
const hex = (...keys: Buffer[]): string[] => keys.map((key) => key.toString('hex'));

/** The BytesStore contract: every backend runs this same suite. */
export function describeBytesStoreContract(backend: string, makeFixture: () => BytesStoreFixture): void {
  describe(`BytesStore contract: ${backend}`, () => {
    let fixture: BytesStoreFixture;
    let store: BytesStore;

    beforeEach(() => {
      fixture = makeFixture();
      store = fixture.open('contract');
    });

    afterEach(async () => {
      await store.close();
      await fixture.dispose();
    });

    it('returns undefined for a missing key and the committed value after a commit', async () => {
      expect(store.get(b('k'))).toBeUndefined();
      await store.commit([put(b('k'), 'v1')]);
      expect(store.get(b('k'))?.toString()).toBe('v1');
      await store.commit([put(b('k'), 'v2')]);
      expect(store.get(b('k'))?.toString()).toBe('v2');
    });

    it('deletes a key committed with a null value', async () => {
      await store.commit([put(b('a'), '1'), put(b('b'), '2')]);
      await store.commit([del(b('a')), del(b('missing'))]);
      expect(store.get(b('a'))).toBeUndefined();
      expect(store.get(b('b'))?.toString()).toBe('2');
      expect(store.approximateCount()).toBe(1);
    });

    it('stores the empty key and empty values', async () => {
      await store.commit([put(Buffer.alloc(0), 'empty key'), put(b('k'), Buffer.alloc(0))]);
      expect(store.get(Buffer.alloc(0))?.toString()).toBe('empty key');
      expect(store.get(b('k'))?.length).toBe(0);
      expect(keysOf(store.range())).toEqual(hex(Buffer.alloc(0), b('k')));
    });

    it('orders keys by unsigned bytes, shorter prefix first', async () => {
      const keys = [bytes(0xff), bytes(0x80), b('ab'), bytes(0x00), bytes(0xff, 0x00), b('b'), bytes(0x7f), b('a')];
      await store.commit(keys.map((key) => put(key, 'x')));
      const expected = [...keys].sort(Buffer.compare);
      expect(keysOf(store.range())).toEqual(hex(...expected));
      expect(hex(...expected)).toEqual(
        hex(bytes(0x00), b('a'), b('ab'), b('b'), bytes(0x7f), bytes(0x80), bytes(0xff), bytes(0xff, 0x00)),
      );
      expect(keysOf(store.range({ reverse: true }))).toEqual(hex(...expected).reverse());
    });

    describe('range', () => {
      beforeEach(async () => {
        await store.commit(['a', 'b', 'c', 'd', 'e'].map((key) => put(b(key), key.toUpperCase())));
      });

      it('includes from and excludes to', () => {
        expect(keysOf(store.range({ from: b('b'), to: b('d') }))).toEqual(hex(b('b'), b('c')));
        expect(keysOf(store.range({ from: b('bb'), to: b('dd') }))).toEqual(hex(b('c'), b('d')));
      });

      it('runs to the ends when a bound is absent', () => {
        expect(keysOf(store.range({ from: b('d') }))).toEqual(hex(b('d'), b('e')));
        expect(keysOf(store.range({ to: b('b') }))).toEqual(hex(b('a')));
      });

      it('iterates the same entries backwards when reversed', () => {
        expect(keysOf(store.range({ from: b('b'), to: b('d'), reverse: true }))).toEqual(hex(b('c'), b('b')));
        expect(keysOf(store.range({ from: b('bb'), to: b('dd'), reverse: true }))).toEqual(hex(b('d'), b('c')));
        expect(keysOf(store.range({ to: b('c'), reverse: true }))).toEqual(hex(b('b'), b('a')));
        expect(keysOf(store.range({ from: b('d'), reverse: true }))).toEqual(hex(b('e'), b('d')));
      });

      it('stops after limit entries in either direction', () => {
        expect(keysOf(store.range({ limit: 2 }))).toEqual(hex(b('a'), b('b')));
        expect(keysOf(store.range({ from: b('b'), limit: 2, reverse: true }))).toEqual(hex(b('e'), b('d')));
        expect(keysOf(store.range({ limit: 0 }))).toEqual([]);
      });

      it('is empty when from is not below to', () => {
        expect(keysOf(store.range({ from: b('c'), to: b('c') }))).toEqual([]);
        expect(keysOf(store.range({ from: b('d'), to: b('b') }))).toEqual([]);
        expect(keysOf(store.range({ from: b('d'), to: b('b'), reverse: true }))).toEqual([]);
      });

      it('yields entries whose buffers stay valid after iterating further', () => {
        const entries = [...store.range()];
        expect(entries.map((entry) => `${entry.key}=${entry.value}`)).toEqual(['a=A', 'b=B', 'c=C', 'd=D', 'e=E']);
      });

      it('lets a caller stop early, and the store keeps working', async () => {
        for (const entry of store.range()) {
          if (entry.key.equals(b('b'))) break;
        }
        const half = store.range();
        half.next();
        await store.commit([put(b('f'), 'F')]);
        expect(store.get(b('f'))?.toString()).toBe('F');
      });
    });

    it('scans keys by prefix, including 0xff edges and the empty prefix', async () => {
      const keys = [b('a'), b('ab'), b('abc'), bytes(0x61, 0x62, 0xff), b('ac'), bytes(0xff), bytes(0xff, 0xff, 0x01)];
      await store.commit(keys.map((key) => put(key, 'x')));
      expect(keysOf(store.prefixScan(b('ab')))).toEqual(hex(b('ab'), b('abc'), bytes(0x61, 0x62, 0xff)));
      expect(keysOf(store.prefixScan(bytes(0xff)))).toEqual(hex(bytes(0xff), bytes(0xff, 0xff, 0x01)));
      expect(keysOf(store.prefixScan(b('zz')))).toEqual([]);
      expect(keysOf(store.prefixScan(Buffer.alloc(0)))).toEqual(hex(...[...keys].sort(Buffer.compare)));
    });

    it('counts entries', async () => {
      expect(store.approximateCount()).toBe(0);
      await store.commit(Array.from({ length: 50 }, (_, i) => put(b(`key-${i}`), 'v')));
      expect(store.approximateCount()).toBe(50);
    });

    it('keeps the changelog offset of the last commit that gave one', async () => {
      expect(store.changelogOffset()).toBeUndefined();
      await store.commit([put(b('a'), '1')], 10);
      expect(store.changelogOffset()).toBe(10);
      await store.commit([put(b('b'), '2')]);
      expect(store.changelogOffset()).toBe(10);
      await store.commit([], 2 ** 40);
      expect(store.changelogOffset()).toBe(2 ** 40);
    });

    it('refuses an invalid changelog offset without applying the writes', async () => {
      await expect(store.commit([put(b('a'), '1')], -1)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      await expect(store.commit([put(b('a'), '1')], 1.5)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      expect(store.get(b('a'))).toBeUndefined();
    });

    it('applies nothing, neither data nor offset, when a commit fails part way', async () => {
      await store.commit([put(b('a'), 'before')], 5);
      const invalid = { key: b('c'), value: 42 as unknown as Buffer };
      await expect(store.commit([put(b('a'), 'after'), put(b('b'), 'new'), invalid], 6)).rejects.toThrow();
      expect(store.get(b('a'))?.toString()).toBe('before');
      expect(store.get(b('b'))).toBeUndefined();
      expect(store.changelogOffset()).toBe(5);
    });

    it('is not affected by the caller reusing its buffers after a commit', async () => {
      const key = b('key');
      const value = b('value');
      await store.commit([{ key, value }]);
      key.fill(0x7a);
      value.fill(0x7a);
      expect(store.get(b('key'))?.toString()).toBe('value');
    });

    it('clears every entry and the offset', async () => {
      await store.commit([put(b('a'), '1'), put(b('b'), '2')], 7);
      await store.clear();
      expect(store.get(b('a'))).toBeUndefined();
      expect(keysOf(store.range())).toEqual([]);
      expect(store.approximateCount()).toBe(0);
      expect(store.changelogOffset()).toBeUndefined();
      await store.commit([put(b('c'), '3')], 1);
      expect(keysOf(store.range())).toEqual(hex(b('c')));
      expect(store.changelogOffset()).toBe(1);
    });

    it('keeps stores apart', async () => {
      const other = fixture.open('other');
      try {
        await store.commit([put(b('a'), 'mine')], 3);
        await other.commit([put(b('a'), 'theirs')], 9);
        expect(store.get(b('a'))?.toString()).toBe('mine');
        expect(other.get(b('a'))?.toString()).toBe('theirs');
        expect(store.changelogOffset()).toBe(3);
        await other.clear();
        expect(store.get(b('a'))?.toString()).toBe('mine');
        expect(store.changelogOffset()).toBe(3);
      } finally {
        await other.close();
      }
    });

    it('refuses use after close', async () => {
      const other = fixture.open('closing');
      await other.close();
      expect(() => other.get(b('a'))).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
      await expect(other.commit([])).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      await other.close();
    });
  });
}

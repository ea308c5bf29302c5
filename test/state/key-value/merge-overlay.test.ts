import { describe, expect, it } from 'vitest';
import type { BytesEntry } from '../../../src/state/bytes-store.ts';
import { mergeOverlay, prefixRange } from '../../../src/state/key-value/merge-overlay.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const entry = (key: string, value: string | null) => ({ key: b(key), value: value === null ? null : b(value) });
const rendered = (entries: Iterable<BytesEntry>) => [...entries].map((e) => `${e.key}=${e.value}`);

describe('mergeOverlay', () => {
  const lower = [entry('a', 'old'), entry('c', 'old'), entry('e', 'old')] as BytesEntry[];

  it('replaces lower values, hides deleted keys and interleaves new ones in key order', () => {
    const overlay = [entry('b', 'new'), entry('c', null), entry('e', 'new'), entry('f', 'new')];
    expect(rendered(mergeOverlay(overlay.values(), lower.values(), {}))).toEqual(['a=old', 'b=new', 'e=new', 'f=new']);
  });

  it('merges descending iterators for a reverse range and counts the limit on the merged result', () => {
    const overlay = [entry('d', 'new'), entry('c', null)];
    const reversed = [...lower].reverse();
    expect(rendered(mergeOverlay(overlay.values(), reversed.values(), { reverse: true, limit: 2 }))).toEqual([
      'e=old',
      'd=new',
    ]);
  });

  it('ends the lower iterator when the caller stops early', () => {
    let returned = false;
    const below: Iterator<BytesEntry> = {
      next: () => ({ done: false, value: lower[0]! }),
      return: () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    const merged = mergeOverlay([].values(), below, {});
    merged.next();
    merged.return(undefined);
    expect(returned).toBe(true);
  });
});

describe('prefixRange', () => {
  it('ends after the last key with the prefix', () => {
    expect(prefixRange(b('ab'))).toEqual({ from: b('ab'), to: b('ac') });
    expect(prefixRange(Buffer.from([0x61, 0xff, 0xff]))).toEqual({ from: Buffer.from([0x61, 0xff, 0xff]), to: b('b') });
  });

  it('is open-ended for a prefix of 0xff bytes and for the empty prefix', () => {
    expect(prefixRange(Buffer.from([0xff]))).toEqual({ from: Buffer.from([0xff]) });
    expect(prefixRange(Buffer.alloc(0))).toEqual({ from: Buffer.alloc(0) });
  });
});

import { describe, expect, it } from 'vitest';
import { KeyWaiters } from '../../src/query/key-waiters.ts';
import { FakeStoreQueries } from '../http/support/fake-store-queries.ts';

describe('KeyWaiters', () => {
  it('answers at once when the value already satisfies the test', async () => {
    const queries = new FakeStoreQueries();
    queries.put('k', 5);
    const waiters = new KeyWaiters(queries);
    expect(await waiters.wait('orders', 'k', (v) => v === 5, 1000)).toEqual({ kind: 'satisfied', value: 5 });
    expect(waiters.size).toBe(0);
  });

  it('wakes only the waiters of the changed key, and forgets finished ones', async () => {
    const queries = new FakeStoreQueries();
    const waiters = new KeyWaiters(queries);
    const a = waiters.wait('orders', 'a', () => true, 1000);
    const b = waiters.wait('orders', 'b', () => true, 100);
    expect(waiters.size).toBe(2);
    queries.put('a', 'A');
    expect(await a).toEqual({ kind: 'satisfied', value: 'A' });
    expect(await b).toEqual({ kind: 'timeout' });
    expect(waiters.size).toBe(0);
  });

  it('ignores deletions and values that do not satisfy the test', async () => {
    const queries = new FakeStoreQueries();
    const waiters = new KeyWaiters(queries);
    const pending = waiters.wait('orders', 'k', (v) => v === 'done', 1000);
    queries.changes$.next({ key: 'k', value: null });
    queries.put('k', 'pending');
    queries.put('k', 'done');
    expect(await pending).toEqual({ kind: 'satisfied', value: 'done' });
  });

  it('releases waiters when aborted or closed', async () => {
    const queries = new FakeStoreQueries();
    const waiters = new KeyWaiters(queries);
    const controller = new AbortController();
    const aborted = waiters.wait('orders', 'k', () => true, 1000, controller.signal);
    const closed = waiters.wait('orders', 'j', () => true, 1000);
    controller.abort();
    expect((await aborted).kind).toBe('released');
    waiters.close();
    expect((await closed).kind).toBe('released');
  });

  it('rejects when the store cannot be read now (restoring)', async () => {
    const queries = new FakeStoreQueries();
    queries.restoring = true;
    const waiters = new KeyWaiters(queries);
    await expect(waiters.wait('orders', 'k', () => true, 1000)).rejects.toThrow(/restoring/);
    expect(waiters.size).toBe(0);
  });
});

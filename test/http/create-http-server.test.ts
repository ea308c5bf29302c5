import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http/create-http-server.ts';
import { hopHeader } from '../../src/http/forward-to-owner.ts';
import { FakeStoreQueries } from './support/fake-store-queries.ts';

const servers: HttpServer[] = [];

function server(queries: FakeStoreQueries, options: Parameters<typeof createHttpServer>[2] = {}): HttpServer {
  const created = createHttpServer(queries, 'test-app', { port: 0, ...options });
  servers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('GET /stores/:store/keys/:key', () => {
  it('answers a local key with its value and a missing one with 404', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', { status: 'REQUESTED', quantity: 3 });
    const { fastify } = server(queries);
    const found = await fastify.inject('/stores/orders/keys/o-1');
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({ key: 'o-1', value: { status: 'REQUESTED', quantity: 3 } });
    const missing = await fastify.inject('/stores/orders/keys/o-2');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain('o-2');
  });

  it('writes bigints as strings and buffers as base64', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', { total: 12345678901234567890n, raw: Buffer.from('hi') });
    const answer = await server(queries).fastify.inject('/stores/orders/keys/o-1');
    expect(answer.json()).toEqual({ key: 'o-1', value: { total: '12345678901234567890', raw: 'aGk=' } });
  });

  it('names unknown stores, bad number keys and bad parameters with 404 and 400', async () => {
    const { fastify } = server(new FakeStoreQueries());
    const store = await fastify.inject('/stores/nope/keys/1');
    expect(store.statusCode).toBe(404);
    expect(store.json().hint).toContain('orders');
    const key = await fastify.inject('/stores/counts-by-id/keys/abc');
    expect(key.statusCode).toBe(400);
    expect(key.json().message).toContain('not a number');
    const wait = await fastify.inject('/stores/orders/keys/o-1?wait=-5');
    expect(wait.statusCode).toBe(400);
    expect(wait.json().message).toContain('wait=-5');
    const until = await fastify.inject('/stores/orders/keys/o-1?until=status:X');
    expect(until.statusCode).toBe(400);
  });

  it('answers 503 with Retry-After while the store restores, never a stale value', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', { status: 'OLD' });
    queries.restoring = true;
    const answer = await server(queries).fastify.inject('/stores/orders/keys/o-1');
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body).not.toContain('OLD');
  });

  it('hides internal errors behind a 500 without a stack trace', async () => {
    const queries = new FakeStoreQueries();
    queries.get = () => {
      throw new Error('secret internals at /src/state/lmdb');
    };
    const answer = await server(queries).fastify.inject('/stores/orders/keys/o-1');
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('secret');
    expect(answer.body).not.toContain('/src/');
  });
});

describe('long-poll', () => {
  it('waits until the key exists', async () => {
    const queries = new FakeStoreQueries();
    const { fastify } = server(queries);
    const pending = fastify.inject('/stores/orders/keys/o-9?wait=2000');
    setTimeout(() => queries.put('o-9', { status: 'REQUESTED' }), 50);
    const answer = await pending;
    expect(answer.statusCode).toBe(200);
    expect(answer.json().value).toEqual({ status: 'REQUESTED' });
  });

  it('waits until a field holds a value, with many waiters on one key', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', { status: 'REQUESTED' });
    const { fastify } = server(queries);
    const waits = Array.from({ length: 20 }, () =>
      fastify.inject('/stores/orders/keys/o-1?wait=3000&until=status:CONFIRMED'),
    );
    setTimeout(() => queries.put('o-1', { status: 'VALIDATED' }), 30);
    setTimeout(() => queries.put('o-1', { status: 'CONFIRMED' }), 60);
    const answers = await Promise.all(waits);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json().value.status).toBe('CONFIRMED');
    }
  });

  it('supports conditions a service registers by name', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', { status: 'REJECTED' });
    const terminal = (value: unknown) => ['CONFIRMED', 'REJECTED'].includes((value as { status: string }).status);
    const { fastify } = server(queries, { waitConditions: { confirmed: terminal } });
    const answer = await fastify.inject('/stores/orders/keys/o-1?wait=1000&until=confirmed');
    expect(answer.statusCode).toBe(200);
    const unknown = await fastify.inject('/stores/orders/keys/o-1?wait=1000&until=shipped');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().hint).toContain('confirmed');
  });

  it('answers 504 on timeout', async () => {
    const { fastify } = server(new FakeStoreQueries());
    const started = Date.now();
    const answer = await fastify.inject('/stores/orders/keys/o-1?wait=150');
    expect(answer.statusCode).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses long-polls beyond the cap with 503', async () => {
    const { fastify } = server(new FakeStoreQueries(), { maxLongPolls: 2 });
    const waiting = [1, 2].map(() => fastify.inject('/stores/orders/keys/o-1?wait=300'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await fastify.inject('/stores/orders/keys/o-1?wait=300');
    expect(refused.statusCode).toBe(503);
    expect((await Promise.all(waiting)).map((a) => a.statusCode)).toEqual([504, 504]);
  });

  it('releases a waiter when its key moves to another instance', async () => {
    const queries = new FakeStoreQueries();
    const { fastify } = server(queries);
    const pending = fastify.inject({ url: '/stores/orders/keys/o-1?wait=5000', headers: { [hopHeader]: '1' } });
    setTimeout(() => {
      queries.owns = () => false;
      queries.ownershipChanges$.next();
    }, 50);
    const answer = await pending;
    expect(answer.statusCode).toBe(503);
    expect(answer.json().message).toContain('moved');
  });
});

describe('routing between instances', () => {
  it('follows a long-poll to the new owner when the key moves during the wait', async () => {
    const newOwner = new FakeStoreQueries();
    const newOwnerAddress = await server(newOwner).listen();
    const front = new FakeStoreQueries();
    const { fastify } = server(front);
    const pending = fastify.inject('/stores/orders/keys/o-5?wait=3000&until=status:CONFIRMED');
    setTimeout(() => {
      front.owns = () => false;
      front.peer = newOwnerAddress;
      front.ownershipChanges$.next();
    }, 50);
    setTimeout(() => newOwner.put('o-5', { status: 'CONFIRMED' }), 200);
    const answer = await pending;
    expect(answer.statusCode).toBe(200);
    expect(answer.json().value).toEqual({ status: 'CONFIRMED' });
  });

  it('forwards to the owner from the map, which answers from its own store', async () => {
    const owner = new FakeStoreQueries();
    owner.put('o-7', { status: 'CONFIRMED' });
    const ownerAddress = await server(owner).listen();
    const front = new FakeStoreQueries();
    front.owns = () => false;
    front.peer = ownerAddress;
    const answer = await server(front).fastify.inject('/stores/orders/keys/o-7');
    expect(answer.statusCode).toBe(200);
    expect(answer.json().value).toEqual({ status: 'CONFIRMED' });
  });

  it('long-polls through the forward with the remaining time', async () => {
    const owner = new FakeStoreQueries();
    const ownerAddress = await server(owner).listen();
    const front = new FakeStoreQueries();
    front.owns = () => false;
    front.peer = ownerAddress;
    const pending = server(front).fastify.inject('/stores/orders/keys/o-8?wait=3000');
    setTimeout(() => owner.put('o-8', { status: 'REQUESTED' }), 100);
    const answer = await pending;
    expect(answer.statusCode).toBe(200);
  });

  it('never forwards a forwarded request again (no loops on a stale map)', async () => {
    const a = new FakeStoreQueries();
    const b = new FakeStoreQueries();
    a.owns = () => false;
    b.owns = () => false;
    const serverA = server(a);
    const serverB = server(b);
    const [addressA, addressB] = await Promise.all([serverA.listen(), serverB.listen()]);
    a.peer = addressB;
    b.peer = addressA;
    const answer = await serverA.fastify.inject('/stores/orders/keys/o-1');
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
  });
});

describe('GET /stores/:store (ranges)', () => {
  it('gathers pages across instances in key order with a cursor', async () => {
    const left = new FakeStoreQueries();
    const right = new FakeStoreQueries();
    const keys = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1'];
    for (const [i, key] of keys.entries()) {
      left.values.set(key, i);
      right.values.set(key, i);
    }
    left.owns = (key) => ['a1', 'b2', 'c1', 'd1'].includes(String(key));
    right.owns = (key) => !left.owns(key);
    const rightAddress = await server(right).listen();
    left.peer = rightAddress;
    const { fastify } = server(left);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await fastify.inject(`/stores/orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.statusCode).toBe(200);
      const body = answer.json() as { entries: Array<{ key: string }>; nextCursor?: string };
      seen.push(...body.entries.map((entry) => entry.key));
      cursor = body.nextCursor;
      if (cursor === undefined) break;
    }
    expect(seen).toEqual(keys);
    const prefixed = await fastify.inject('/stores/orders?prefix=b');
    expect(prefixed.json().entries.map((e: { key: string }) => e.key)).toEqual(['b1', 'b2']);
    const bounded = await fastify.inject('/stores/orders?from=a2&to=c1');
    expect(bounded.json().entries.map((e: { key: string }) => e.key)).toEqual(['a2', 'b1', 'b2', 'c1']);
  });

  it('rejects a limit above the maximum and a bad cursor', async () => {
    const { fastify } = server(new FakeStoreQueries());
    expect((await fastify.inject('/stores/orders?limit=100000')).statusCode).toBe(400);
    expect((await fastify.inject('/stores/orders?cursor=%25%25')).statusCode).toBe(400);
    expect((await fastify.inject('/stores/orders?prefix=a&from=b')).statusCode).toBe(400);
  });
});

describe('windows, operations and protection', () => {
  it('answers the windows of a key in a time range', async () => {
    const queries = new FakeStoreQueries();
    queries.windowsByKey.set('u1', [
      { startMs: 0, endMs: 60_000, value: 3 },
      { startMs: 60_000, endMs: 120_000, value: 1 },
    ]);
    const { fastify } = server(queries);
    const answer = await fastify.inject('/stores/clicks/keys/u1/windows?from=30000&to=90000');
    expect(answer.json()).toEqual({ key: 'u1', windows: [{ startMs: 60_000, endMs: 120_000, value: 1 }] });
    expect((await fastify.inject('/stores/clicks/keys/u1/windows?from=9&to=1')).statusCode).toBe(400);
    expect((await fastify.inject('/stores/orders/keys/u1/windows')).statusCode).toBe(400);
  });

  it('serves metrics, health, topology and the OpenAPI document', async () => {
    const queries = new FakeStoreQueries();
    const { fastify } = server(queries);
    expect((await fastify.inject('/metrics')).body).toContain('kstreams_x');
    expect((await fastify.inject('/health/live')).statusCode).toBe(200);
    queries.isReady = false;
    const notReady = await fastify.inject('/health/ready');
    expect(notReady.statusCode).toBe(503);
    expect((await fastify.inject('/topology')).body).toContain('Sub-topology: 0');
    expect((await fastify.inject('/topology?format=mermaid')).body).toContain('flowchart');
    expect((await fastify.inject('/topology?format=svg')).statusCode).toBe(400);
    const document = (await fastify.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    const routes = fastify
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => line.includes('(GET'));
    expect(routes.length).toBeGreaterThan(0);
    for (const path of [
      '/stores',
      '/stores/{store}',
      '/stores/{store}/keys/{key}',
      '/stores/{store}/keys/{key}/windows',
      '/metrics',
      '/health/live',
      '/health/ready',
      '/topology',
      '/openapi.json',
    ]) {
      expect(document.paths[path]).toBeDefined();
    }
  });

  it('requires the bearer token when one is configured, except for health probes', async () => {
    const queries = new FakeStoreQueries();
    queries.put('o-1', 1);
    const { fastify } = server(queries, { bearerToken: 's3cret' });
    expect((await fastify.inject('/stores/orders/keys/o-1')).statusCode).toBe(401);
    expect(
      (await fastify.inject({ url: '/stores/orders/keys/o-1', headers: { authorization: 'Bearer wrong' } })).statusCode,
    ).toBe(401);
    expect(
      (await fastify.inject({ url: '/stores/orders/keys/o-1', headers: { authorization: 'Bearer s3cret' } }))
        .statusCode,
    ).toBe(200);
    expect((await fastify.inject('/health/ready')).statusCode).toBe(200);
  });

  it('answers unknown routes with a JSON 404 and refuses oversized bodies', async () => {
    const { fastify } = server(new FakeStoreQueries(), {
      bodyLimitBytes: 10,
      routes: (routes) => routes.post('/echo', async (request) => request.body),
    });
    const route = await fastify.inject('/nope');
    expect(route.statusCode).toBe(404);
    expect(route.json().hint).toContain('openapi');
    const big = await fastify.inject({ method: 'POST', url: '/echo', payload: { data: 'x'.repeat(100) } });
    expect(big.statusCode).toBe(413);
  });
});

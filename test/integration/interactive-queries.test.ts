import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, map, merge } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMetricsText, ensurePromtool } from '../../scripts/tools/promtool.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';
import type { HttpServer } from '../../src/http/create-http-server.ts';
import { serveInteractiveQueries } from '../../src/http/serve-interactive-queries.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { Cluster, eventually, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];

interface Order {
  readonly status: string;
  readonly n: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe.each(adapters)('interactive queries over HTTP with two instances (%s)', (adapter) => {
  let cluster: Cluster;
  const apps: KafkaStreams[] = [];
  const servers: HttpServer[] = [];
  const dirs: string[] = [];
  let topic: string;
  let clicks: string;
  let applicationId: string;

  beforeAll(async () => {
    cluster = new Cluster();
    topic = await cluster.createTopic(`${adapter}-iq-orders`, 4);
    clicks = await cluster.createTopic(`${adapter}-iq-clicks`, 4);
    applicationId = uniqueName(`${adapter}-iq`);
    cluster.forget([`${applicationId}-orders-changelog`, `${applicationId}-clicks-per-minute-changelog`]);
  });

  afterAll(async () => {
    for (const app of apps) await app.close({ timeoutMs: 10_000 });
    for (const server of servers) await server.close();
    await cluster.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function startInstance(): Promise<{ app: KafkaStreams; base: string }> {
    const port = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-iq-'));
    dirs.push(stateDir);
    const builder = new StreamsBuilder();
    builder.table<string, Order>(
      topic,
      { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() },
      { storeName: 'orders' },
    );
    builder
      .stream<string, string>(clicks, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      // Retention beyond size + grace (its default), so a closed window stays queryable.
      .count({ storeName: 'clicks-per-minute', retentionMs: 3_600_000 });
    const app = new KafkaStreams(
      builder.build(),
      testStreamsConfig(adapter, applicationId, { stateDir, applicationServer: `127.0.0.1:${port}` }),
      { defaultMetrics: false },
    );
    servers.push(await serveInteractiveQueries(app));
    apps.push(app);
    await app.start();
    return { app, base: `http://127.0.0.1:${port}` };
  }

  const produce = (entries: ReadonlyArray<readonly [string, Order]>) =>
    cluster.produce(
      entries.map(([key, value]) => ({ topic, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) })),
    );

  const getJson = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as { value?: Order; message?: string } };
  };

  it('answers every key on both instances, whichever owns it; long-polls follow updates; rebalances never answer wrong', async () => {
    const a = await startInstance();
    const b = await startInstance();
    await Promise.all([waitForState(a.app, 'RUNNING', 30_000), waitForState(b.app, 'RUNNING', 30_000)]);
    await eventually(
      () => a.app.tasks().length > 0 && b.app.tasks().length > 0 && a.app.allMetadata().length === 2,
      30_000,
    );

    const keys = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const expected = new Map(keys.map((key, n) => [key, { status: 'REQUESTED', n }]));
    await produce([...expected]);

    // 1. Every key, from both instances: the owner answers locally, the other forwards.
    await eventually(async () => (await getJson(`${a.base}/stores/orders/keys/${keys.at(-1)}`)).status === 200, 30_000);
    for (const key of keys) {
      for (const { base } of [a, b]) {
        const answer = await getJson(`${base}/stores/orders/keys/${key}`);
        expect(answer.status, `${key} via ${base}`).toBe(200);
        expect(answer.body.value).toEqual(expected.get(key));
      }
    }
    const missing = await getJson(`${b.base}/stores/orders/keys/order-none`);
    expect(missing.status).toBe(404);

    // Ranges are gathered across both instances, in key order, over pages.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await fetch(`${a.base}/stores/orders?limit=7${cursor === undefined ? '' : `&cursor=${cursor}`}`);
      const page = (await response.json()) as { entries: Array<{ key: string }>; nextCursor?: string };
      seen.push(...page.entries.map((e) => e.key));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([...keys].sort());

    // 2. A long-poll (here on instance a, forwarded when b owns the key) returns within 100 ms of the update.
    const key = 'order-wait';
    const confirmedAt = firstValueFrom(
      merge(a.app.storeChanges$('orders'), b.app.storeChanges$('orders')).pipe(
        filter((change) => change.key === key && (change.value as Order | null)?.status === 'CONFIRMED'),
        map(() => performance.now()),
      ),
    );
    const waiting = (async () => {
      const response = await fetch(`${a.base}/stores/orders/keys/${key}?wait=20000&until=status:CONFIRMED`);
      return { status: response.status, body: (await response.json()) as { value: Order }, at: performance.now() };
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await produce([[key, { status: 'REQUESTED', n: 100 }]]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await produce([[key, { status: 'CONFIRMED', n: 100 }]]);
    const [answer, changedAt] = await Promise.all([waiting, confirmedAt]);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual({ status: 'CONFIRMED', n: 100 });
    expect(answer.at - changedAt).toBeLessThan(100);

    // 3. During a rebalance (a third instance joins, tasks move), every answer is the right value or a 503.
    const answers = new Map<number, number>();
    let wrong = 0;
    let polling = true;
    const poller = (async () => {
      let i = 0;
      while (polling) {
        const k = keys[i++ % keys.length]!;
        const { status, body } = await getJson(`${(i % 2 === 0 ? a : b).base}/stores/orders/keys/${k}`);
        answers.set(status, (answers.get(status) ?? 0) + 1);
        if (status === 200 && JSON.stringify(body.value) !== JSON.stringify(expected.get(k))) wrong++;
        if (status !== 200 && status !== 503) wrong++;
      }
    })();
    const c = await startInstance();
    await waitForState(c.app, 'RUNNING', 30_000);
    await eventually(() => c.app.tasks().length > 0 && a.app.state === 'RUNNING' && b.app.state === 'RUNNING', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    polling = false;
    await poller;
    expect(wrong).toBe(0);
    expect(answers.get(200) ?? 0).toBeGreaterThan(0);
    // After the rebalance, the new instance answers every key too.
    for (const k of keys.slice(0, 10)) {
      await eventually(async () => (await getJson(`${c.base}/stores/orders/keys/${k}`)).status === 200, 10_000);
      expect((await getJson(`${c.base}/stores/orders/keys/${k}`)).body.value).toEqual(expected.get(k));
    }

    // A window store: a key's windows, answered by every instance, whichever owns the key.
    const minute = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;
    await cluster.produce(
      [0, 10_000, 70_000, 75_000, 80_000].map((offset) => ({
        topic: clicks,
        key: Buffer.from('user-1'),
        value: Buffer.from('click'),
        timestamp: minute + offset,
      })),
    );
    const expectedWindows = [
      { startMs: minute, endMs: minute + 60_000, value: 2 },
      { startMs: minute + 60_000, endMs: minute + 120_000, value: 3 },
    ];
    const windowsUrl = (base: string) =>
      `${base}/stores/clicks-per-minute/keys/user-1/windows?from=${minute}&to=${minute + 60_000}`;
    await eventually(async () => {
      const answer = (await (await fetch(windowsUrl(a.base))).json()) as { windows?: unknown[] };
      return JSON.stringify(answer.windows) === JSON.stringify(expectedWindows);
    }, 20_000);
    for (const { base } of [a, b, c]) {
      const answer = await fetch(windowsUrl(base));
      expect(answer.status, base).toBe(200);
      expect(((await answer.json()) as { windows: unknown }).windows).toEqual(expectedWindows);
    }

    // Metrics of a live app pass through the same server.
    const metrics = await (await fetch(`${a.base}/metrics`)).text();
    expect(metrics).toMatch(/kstreams_records_processed_total\{application_id="[^"]+"\} [1-9]/);
    const lint = await checkMetricsText(await ensurePromtool(), metrics);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
    expect((await fetch(`${a.base}/health/ready`)).status).toBe(200);
  }, 150_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { Cluster, eventually, uniqueName, waitForState } from './support/cluster.ts';
import { keyTotalsTopology } from './support/key-totals-topology.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const records = 400;

describe.each(adapters)('a joining instance: revoked tasks commit first, both learn the host map (%s)', (adapter) => {
  let cluster: Cluster;
  const stateDirs: string[] = [];
  const apps: KafkaStreams[] = [];

  beforeAll(() => {
    cluster = new Cluster();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close({ timeoutMs: 10_000 })));
    await cluster.close();
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('commits the first instance’s processed input before the second takes half of it', {
    timeout: 60_000,
  }, async () => {
    const topics = {
      input: await cluster.createTopic(`${adapter}-rc-amounts`, 4),
      countOutput: await cluster.createTopic(`${adapter}-rc-counts`, 4),
      sumOutput: await cluster.createTopic(`${adapter}-rc-sums`, 4),
    };
    const applicationId = uniqueName(`${adapter}-rebalance-commit`);
    cluster.forget([`${applicationId}-counts-changelog`, `${applicationId}-sums-changelog`]);
    const instance = (applicationServer: string) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-rebalance-commit-'));
      stateDirs.push(stateDir);
      // No commit falls due during the test: only a revocation commits.
      const app = new KafkaStreams(
        keyTotalsTopology(topics),
        testStreamsConfig(adapter, applicationId, { stateDir, applicationServer, commitIntervalMs: 600_000 }),
      );
      apps.push(app);
      return app;
    };

    const first = instance('first.local:8001');
    await first.start();
    await waitForState(first, 'RUNNING');
    expect(first.tasks()).toHaveLength(4);
    await cluster.produce(
      Array.from({ length: records }, (_, i) => ({
        topic: topics.input,
        key: Buffer.from(`key-${i % 40}`),
        value: Buffer.from('1'),
      })),
    );
    expect(await eventually(() => first.counters().recordsProcessed === records)).toBe(true);
    const endOffsets = await cluster.endOffsets(topics.input);
    expect(await cluster.committed(applicationId, topics.input)).not.toEqual(endOffsets);

    const second = instance('second.local:8002');
    await second.start();
    const shared = await eventually(
      () =>
        first.state === 'RUNNING' &&
        second.state === 'RUNNING' &&
        first.tasks().length === 2 &&
        second.tasks().length === 2,
      30_000,
    );
    expect(shared).toBe(true);
    expect(await cluster.committed(applicationId, topics.input)).toEqual(endOffsets);
    // Nothing was processed twice: the second instance started from the committed offsets.
    expect(second.counters().recordsProcessed).toBe(0);

    const hosts = first.allMetadata();
    expect(second.allMetadata()).toEqual(hosts);
    expect(hosts.map(({ host, port, taskIds }) => ({ host, port, tasks: taskIds.length }))).toEqual([
      { host: 'first.local', port: 8001, tasks: 2 },
      { host: 'second.local', port: 8002, tasks: 2 },
    ]);
    const taskNames = (app: KafkaStreams) => app.tasks().map((t) => `${t.subtopology}_${t.partition}`);
    for (let i = 0; i < 40; i++) {
      const key = `key-${i}`;
      const owner = first.metadataForKey('counts', key, Serdes.string());
      const app = owner.host === 'first.local' ? first : second;
      expect(taskNames(app)).toContain(`0_${owner.partition}`);
      const store = app.localStores('counts').get(`0_${owner.partition}`) as
        | { get(key: string): number | undefined }
        | undefined;
      expect(store?.get(key)).toBe(10);
    }
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterLayout } from '../../../scripts/kafka/cluster-layout.ts';
import { kafkaStatus, startKafka, stopKafka } from '../../../scripts/kafka/local-cluster.ts';

// A stand-in for a broker JVM: a process whose command line names the node's server.properties, as the
// real one does, so the pid-file logic can be exercised without Java.
function fakeBroker(propertiesFile: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', propertiesFile], { stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

describe('local cluster process management', () => {
  let repoDir: string;
  const children: ChildProcess[] = [];
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  beforeEach(() => {
    repoDir = mkdtempSync(`${tmpdir()}/kstreams-kafka-`);
    lines.length = 0;
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(repoDir, { recursive: true, force: true });
  });

  function runFakeNode(size: 1 | 3, id: number): ChildProcess {
    const node = clusterLayout(repoDir, size).nodes[id]!;
    mkdirSync(node.dir, { recursive: true });
    const child = fakeBroker(node.propertiesFile);
    children.push(child);
    writeFileSync(node.pidFile, `${child.pid}\n`);
    return child;
  }

  it('uses the external cluster named by KAFKA_BROKERS and starts nothing', async () => {
    const result = await startKafka({
      repoDir,
      log,
      env: { KAFKA_BROKERS: 'kafka-a:9092, kafka-b:9092', KAFKA_SASL_BROKERS: 'kafka-a:9094' },
    });
    expect(result).toEqual({
      outcome: 'external',
      bootstrap: ['kafka-a:9092', 'kafka-b:9092'],
      saslBootstrap: ['kafka-a:9094'],
    });
    expect(lines.join('\n')).toMatch(/KAFKA_BROKERS is set .* nothing started/);
    expect(await kafkaStatus({ repoDir })).toEqual([]);
  });

  it('refuses to start a 1-broker cluster while the 3-broker one runs', async () => {
    runFakeNode(3, 0);
    await expect(startKafka({ repoDir, log, env: {}, brokers: 1 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/3-broker Kafka cluster is running.*npm run kafka -- stop/s),
    });
  });

  it('reports running nodes, and a pid file whose process is gone as stale', async () => {
    runFakeNode(3, 1);
    const node2 = clusterLayout(repoDir, 3).nodes[2]!;
    mkdirSync(node2.dir, { recursive: true });
    writeFileSync(node2.pidFile, `${process.pid}\n`); // alive, but not a broker of this node
    const [cluster] = await kafkaStatus({ repoDir });
    expect(cluster?.running).toBe(true);
    expect(cluster?.nodes.map((node) => node.state)).toEqual(['stopped', 'running', 'stale-pid-file']);
  });

  it('stops running nodes with SIGTERM, removes pid files, and never signals unrelated processes', async () => {
    const child = runFakeNode(1, 0);
    const node = clusterLayout(repoDir, 1).nodes[0]!;
    const stale = clusterLayout(repoDir, 3).nodes[0]!;
    mkdirSync(stale.dir, { recursive: true });
    writeFileSync(stale.pidFile, `${process.pid}\n`);
    const signal = exited(child);
    expect(await stopKafka({ repoDir, log })).toEqual({ stopped: 1 });
    expect(await signal).toBe('SIGTERM');
    const clusters = await kafkaStatus({ repoDir });
    expect(clusters.flatMap((cluster) => cluster.nodes.map((status) => status.state))).toEqual([
      'stopped',
      'stopped',
      'stopped',
      'stopped',
    ]);
    expect(lines.join('\n')).toMatch(/Stopped the local 1-broker Kafka \(1 node\)/);
    expect(existsSync(node.pidFile)).toBe(false);
    expect(existsSync(stale.pidFile)).toBe(false);
  });

  it('says so when nothing runs', async () => {
    expect(await stopKafka({ repoDir, log })).toEqual({ stopped: 0 });
    expect(lines).toEqual(['No local Kafka is running.']);
  });
});

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/index.ts';
import { testBrokers } from '../setup/kafka-env.ts';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'src', 'cli', 'kstreams.ts');
const fixture = 'test/cli/fixtures/latest-value-service.ts';
// The project's pinned Node runs the .ts CLI even when the test runner was started by an older node.
const localNode = join(root, 'node_modules', '.bin', 'node');
const projectNode = existsSync(localNode) ? localNode : process.execPath;

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

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('kstreams describe', () => {
  it('prints the text description by default and Mermaid on request', () => {
    const text = spawnSync(projectNode, [cli, 'describe', fixture], { cwd: root, encoding: 'utf8' });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('Sub-topology: 0');
    expect(text.stdout).toContain('Source: KSTREAM-SOURCE-0000000000 (topics: [kstreams-cli-fixture-input])');
    expect(text.stdout).toContain('(stores: [latest])');

    const mermaid = spawnSync(projectNode, [cli, 'describe', fixture, '--format', 'mermaid'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(mermaid.status, mermaid.stderr).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart TD')).toBe(true);
    expect(mermaid.stdout).toContain('store_latest[("latest")]');
  });

  it('exits 2 naming the module when it exports no service', () => {
    const result = spawnSync(projectNode, [cli, 'describe', 'test/cli/fixtures/not-a-service.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"test/cli/fixtures/not-a-service.ts" exports no service definition');
  });
});

describe('kstreams run', () => {
  it('exits 2 before contacting Kafka when the environment is invalid', () => {
    const result = spawnSync(projectNode, [cli, 'run', fixture], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', HTTP_PORT: 'eighty' },
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Environment variable HTTP_PORT has an invalid value "eighty".');
  });

  const suffix = randomUUID().slice(0, 8);
  const topic = `cli-run-input-${suffix}`;
  const applicationId = `cli-run-${suffix}`;
  const poisonTopic = `cli-poison-input-${suffix}`;
  const poisonApplicationId = `cli-poison-${suffix}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-cli-run-'));
  const admin = createKafkaClient({ brokers: testBrokers(), clientId: `${applicationId}-test` }).admin();

  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const name of [topic, `${applicationId}-latest-changelog`, poisonTopic]) {
      await admin.deleteTopics([name]).catch(() => undefined);
    }
    for (const group of [applicationId, poisonApplicationId]) await admin.deleteGroups([group]).catch(() => undefined);
    await admin.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Starts `kstreams run <module>` on the test broker and waits until it answers /health/ready. */
  async function startRunner(
    module: string,
    env: Record<string, string>,
  ): Promise<{ child: ChildProcess; base: string; output: string[] }> {
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(projectNode, [cli, 'run', module], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        HTTP_PORT: String(port),
        STATE_DIR: stateDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined),
      45_000,
      `readiness (output so far: ${output.join('')})`,
    );
    return { child, base, output };
  }

  it('serves a service until SIGTERM, then commits, leaves the group and exits 0 within the bound', async () => {
    const shutdownTimeoutMs = 15_000;
    const {
      child: running,
      base,
      output,
    } = await startRunner(fixture, {
      APPLICATION_ID: applicationId,
      FIXTURE_INPUT_TOPIC: topic,
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    // The runner created the service's topic with its partition count.
    const [description] = await admin.describeTopics([topic]);
    expect(description?.partitions).toBe(2);

    // Input goes through the service's own route, which uses the runner's shared producer.
    const posted = await fetch(`${base}/values/order-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'CONFIRMED' }),
    });
    expect(posted.status).toBe(202);
    const answer = await eventually(
      async () => {
        const response = await fetch(`${base}/stores/latest/keys/order-1`);
        return response.status === 200 ? ((await response.json()) as { value: unknown }) : undefined;
      },
      30_000,
      'the key to be queryable',
    );
    expect(answer.value).toEqual({ value: 'CONFIRMED' });

    const signalledAt = Date.now();
    running.kill('SIGTERM');
    const code = await exited(running);
    const shutdownMs = Date.now() - signalledAt;
    expect(code, output.join('')).toBe(0);
    expect(shutdownMs).toBeLessThan(shutdownTimeoutMs);

    // JSON lines on a pipe; the runner says where it listens and how it stopped.
    const entries = output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; url?: string; clean?: boolean });
    expect(entries.find((entry) => entry.msg === 'Service started.')?.url).toBe(base);
    expect(entries.find((entry) => entry.msg === 'Service stopped.')?.clean).toBe(true);

    // It left the group and committed what it processed.
    const [group] = await admin.describeGroups([applicationId]);
    expect(group?.members ?? []).toEqual([]);
    const committed = await admin.committedOffsets(applicationId, [topic]);
    const ends = await admin.listOffsets(
      [0, 1].map((partition) => ({ topic, partition })),
      'latest',
    );
    expect(ends.reduce((sum, end) => sum + end.offset, 0)).toBe(1);
    const committedByPartition = new Map(committed.map((entry) => [entry.partition, entry.offset]));
    for (const end of ends.filter((entry) => entry.offset > 0)) {
      expect(committedByPartition.get(end.partition), `partition ${end.partition}`).toBe(end.offset);
    }
  });

  it('stops and exits 1 without a signal when the app goes to ERROR', async () => {
    const { child, base, output } = await startRunner('test/cli/fixtures/poison-service.ts', {
      APPLICATION_ID: poisonApplicationId,
      FIXTURE_INPUT_TOPIC: poisonTopic,
    });
    const posted = await fetch(`${base}/values/k`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'poison',
    });
    expect(posted.status).toBe(202);
    expect(await exited(child), output.join('')).toBe(1);
    const text = output.join('');
    expect(text).toContain('"state":"ERROR"');
    expect(text).toContain('The application stopped on its own.');
  });
});

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/index.ts';
import { testBrokers } from '../setup/kafka-env.ts';

const root = join(import.meta.dirname, '..', '..');
// The project's pinned Node runs the .ts demo even when the test runner was started by an older node.
const localNode = join(root, 'node_modules', '.bin', 'node');
const projectNode = existsSync(localNode) ? localNode : process.execPath;
// The demo runs one process per service module on consecutive ports; leave room for more services.
const portsNeeded = 16;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await isFree(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(projectNode, [join('scripts', 'demo.ts'), ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const count = (text: string, label: string) => Number(new RegExp(`${label} (\\d+)`).exec(text)?.[1] ?? 0);

describe('npm start (scripts/demo.ts)', () => {
  // Its own estate (topics and application ids) on the shared broker, so only its own orders count.
  const prefix = `demo-test-${randomUUID().slice(0, 8)}-`;
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-demo-'));

  afterAll(async () => {
    rmSync(stateDir, { recursive: true, force: true });
    const admin = createKafkaClient({ brokers: testBrokers(), clientId: 'demo-test-cleanup' }).admin();
    try {
      const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
      if (mine.length > 0) await admin.deleteTopics(mine);
    } finally {
      await admin.close();
    }
  });

  it('runs the estate under load, shows the summary, and stops cleanly after --duration', async () => {
    const port = await freePortRange(portsNeeded);
    const run = await runDemo(
      ['--duration', '25', '--rate', '5', '--port', String(port)],
      {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        ESTATE_PREFIX: prefix,
        DEMO_STATE_DIR: stateDir,
      },
      85_000,
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(run.stdout).toContain('Every service is ready.');
    const final = run.stdout.slice(run.stdout.indexOf('Final summary:'));
    expect(final, output).toMatch(/Final summary:[\s\S]*REQUESTED -> terminal state: p50 \d+ ms {2}p99 \d+ ms/);
    expect(count(final, 'orders posted'), output).toBeGreaterThan(0);
    expect(count(final, 'CONFIRMED'), output).toBeGreaterThan(0);
    expect(count(final, 'REJECTED'), output).toBeGreaterThan(0);
    // Orders designed to fail a check end rejected, and the URLs to query are shown.
    expect(final).toMatch(/no-stock +.*rejected \d+/);
    expect(final).toContain(`http://localhost:${port}/orders/`);
    expect(final).toContain(`http://localhost:${port}/metrics`);
    expect(run.stdout).toContain('Demo stopped.');
  }, 90_000);
});

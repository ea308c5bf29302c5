import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testBrokers } from '../../setup/kafka-env.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'src', 'cli', 'kstreams.ts');
// The project's pinned Node runs the .ts CLI even when the test runner was started by an older node.
const localNode = join(root, 'node_modules', '.bin', 'node');
const projectNode = existsSync(localNode) ? localNode : process.execPath;

export const estateServiceNames = [
  'orders',
  'order-details',
  'fraud',
  'stock',
  'payments',
  'trace',
  'notifications',
  'pricing',
] as const;
export type EstateServiceName = (typeof estateServiceNames)[number];

export function freePort(): Promise<number> {
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

/** One log line of a service, as pino wrote it (JSON lines on a pipe). */
export interface ServiceLogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/**
 * One estate service run as `kstreams run topologies/<name>.ts` in a child process. Its state dir and
 * port stay the same across restarts, so a restart after SIGKILL resumes from the local state.
 */
export class EstateService {
  readonly name: EstateServiceName;
  readonly #env: Readonly<Record<string, string>>;
  readonly #stateDir: string;
  /** Output of every run, in order (kept across restarts so a failure shows the whole story). */
  readonly output: string[] = [];
  #port = 0;
  #child: ChildProcess | undefined;
  #exit: Promise<number | null> | undefined;

  constructor(name: EstateServiceName, stateRoot: string, env: Readonly<Record<string, string>>) {
    this.name = name;
    this.#env = env;
    this.#stateDir = join(stateRoot, name);
    mkdirSync(this.#stateDir, { recursive: true });
  }

  get base(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Spawns the runner and resolves once it answers /health/ready. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    if (this.#port === 0) this.#port = await freePort();
    this.output.push(`--- start ${this.name} on ${this.base} ---\n`);
    const child = spawn(projectNode, [cli, 'run', `topologies/${this.name}.ts`], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        HTTP_PORT: String(this.#port),
        STATE_DIR: this.#stateDir,
        LOG_LEVEL: 'info',
        ...this.#env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.output.join('')}`);
      const ready = await fetch(`${this.base}/health/ready`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${readyTimeoutMs} ms.`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGKILL: no commit, no clean close (a crash). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill('SIGKILL');
    await this.#exit;
    this.output.push(`--- ${this.name} killed ---\n`);
  }

  /** SIGTERM and the exit code (0 when it closed cleanly). */
  async stop(): Promise<number | null> {
    if (!this.running) return this.#child?.exitCode ?? null;
    this.#child?.kill('SIGTERM');
    const code = await this.#exit;
    this.output.push(`--- ${this.name} stopped (exit ${code}) ---\n`);
    return code ?? null;
  }

  /** The JSON log lines written so far. */
  logLines(): ServiceLogLine[] {
    return this.output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as ServiceLogLine];
        } catch {
          return [];
        }
      });
  }

  /** Log lines at error level or above. */
  errors(): ServiceLogLine[] {
    return this.logLines().filter((line) => line.level === 'error' || line.level === 'fatal');
  }
}

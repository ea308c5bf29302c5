// The estate services of one benchmark run, each `kstreams run topologies/<service>.ts` in its own
// process with its own HTTP port and temporary state directory, under the run's ESTATE_PREFIX.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { KStreamsError } from '../src/errors.ts';
import type { EstateBenchService } from './estate-topics-support.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cli = join(projectRoot, 'src/cli/kstreams.ts');
const localNode = join(projectRoot, 'node_modules/.bin/node');
// The project's Node 24 (it runs .ts directly), whatever node started the benchmark.
const projectNode = existsSync(localNode) ? localNode : process.execPath;
/** Output lines kept per service, shown when it fails. */
const outputTailLines = 40;
const stopTimeoutMs = 20_000;

export interface RunningService {
  readonly name: EstateBenchService;
  readonly base: string;
  readonly pid: number;
  /** The service's last output lines (it logs at warn), for failure messages. */
  output(): string;
  /** Whether it exited before it was stopped. */
  exited(): boolean;
}

interface ServiceProcess extends RunningService {
  readonly child: ChildProcess;
  readonly stateDir: string;
}

export interface EstateServicesOptions {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly readyTimeoutMs: number;
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

async function startService(name: EstateBenchService, options: EstateServicesOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), `kstreams-bench-estate-${name}-`));
  const child = spawn(projectNode, [cli, 'run', `topologies/${name}.ts`], {
    cwd: projectRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: options.brokers.join(','),
      HTTP_PORT: String(port),
      STATE_DIR: stateDir,
      ESTATE_PREFIX: options.prefix,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    if (tail.length > outputTailLines) tail.splice(0, tail.length - outputTailLines);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (child.pid === undefined) throw serviceFailure(name, 'it could not be started', '');
  return {
    name,
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    child,
    stateDir,
    output: () => tail.join('\n'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

function serviceFailure(name: string, what: string, output: string): KStreamsError {
  return new KStreamsError(
    'PROCESSING_FAILED',
    `The estate service ${name} ${what}.${output === '' ? '' : ` Its last output:\n${output}`}`,
    {
      hint: `Run it alone with \`ESTATE_PREFIX=x- npm run kstreams -- run topologies/${name}.ts\` and check the broker.`,
    },
  );
}

async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (service.exited()) throw serviceFailure(service.name, 'exited before it was ready', service.output());
    try {
      if ((await fetch(`${service.base}/health/ready`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw serviceFailure(service.name, `was not ready within ${timeoutMs} ms`, service.output());
}

/** The running services of one run; `stop` ends them all and removes their state directories. */
export class EstateServices {
  readonly #services: ServiceProcess[];

  private constructor(services: ServiceProcess[]) {
    this.#services = services;
  }

  /** Starts every service at once (they join separate groups) and waits until each answers /health/ready. */
  static async start(names: readonly EstateBenchService[], options: EstateServicesOptions): Promise<EstateServices> {
    const services = new EstateServices([]);
    try {
      for (const name of names) services.#services.push(await startService(name, options));
      await Promise.all(services.#services.map((service) => waitReady(service, options.readyTimeoutMs)));
    } catch (error) {
      await services.stop();
      throw error;
    }
    return services;
  }

  get list(): readonly RunningService[] {
    return this.#services;
  }

  base(name: EstateBenchService): string {
    const service = this.#services.find((s) => s.name === name);
    if (service === undefined) throw serviceFailure(name, 'is not running', '');
    return service.base;
  }

  /** Fails, with its output, when a service has died (a dead service would only show up as timeouts). */
  assertAlive(): void {
    const dead = this.#services.find((service) => service.exited());
    if (dead !== undefined) throw serviceFailure(dead.name, 'exited during the run', dead.output());
  }

  /** CPU seconds (user + system) each service has used so far; services without /proc count 0. */
  cpuSeconds(): Map<EstateBenchService, number> {
    return new Map(this.#services.map((service) => [service.name, processCpuSeconds(service.pid)]));
  }

  /** SIGTERM (a clean commit and leave), SIGKILL after a bound; then removes the state directories. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#services.map(async (service) => {
        if (!service.exited()) {
          const exited = new Promise((resolve) => service.child.once('exit', resolve));
          service.child.kill('SIGTERM');
          const guard = setTimeout(() => service.child.kill('SIGKILL'), stopTimeoutMs);
          await exited;
          clearTimeout(guard);
        }
        rmSync(service.stateDir, { recursive: true, force: true });
      }),
    );
  }

  /** For SIGINT: ends every service now. */
  kill(): void {
    for (const service of this.#services) if (!service.exited()) service.child.kill('SIGKILL');
  }
}

// USER_HZ is 100 on every mainstream Linux build.
const jiffiesPerSecond = 100;

function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / jiffiesPerSecond;
  } catch {
    return 0;
  }
}

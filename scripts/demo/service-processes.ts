import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KStreamsError } from '../../src/errors.ts';

export interface DemoService {
  /** The module's base name: `orders` for topologies/orders.ts. */
  readonly name: string;
  readonly module: string;
  readonly port: number;
  readonly stateDir: string;
  readonly logFile: string;
}

export interface RunningService extends DemoService {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/**
 * The service modules in `topologies/` (the estate's shared code lives in `topologies/estate/`), orders
 * first so it takes the base port, the rest in name order on the ports after it.
 */
export function findServices(repoDir: string, basePort: number, demoDir: string): DemoService[] {
  const names = readdirSync(join(repoDir, 'topologies'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort((a, b) => (a === 'orders' ? -1 : b === 'orders' ? 1 : a.localeCompare(b)));
  if (!names.includes('orders')) {
    throw new KStreamsError('CONFIG_INVALID', `There is no topologies/orders.ts in ${repoDir}.`, {
      hint: 'Run the demo from a kstreams checkout: it drives the order estate through the orders service.',
    });
  }
  return names.map((name, index) => ({
    name,
    module: join('topologies', `${name}.ts`),
    port: basePort + index,
    stateDir: join(demoDir, name),
    logFile: join(demoDir, 'logs', `${name}.log`),
  }));
}

/** Starts `kstreams run` for one service, its output appended to its log file rather than the terminal. */
export async function startServiceProcess(
  repoDir: string,
  service: DemoService,
  brokers: readonly string[],
): Promise<RunningService> {
  await mkdir(service.stateDir, { recursive: true });
  await mkdir(join(service.logFile, '..'), { recursive: true });
  const log = openSync(service.logFile, 'a');
  const child = spawn(process.execPath, [join('src', 'cli', 'kstreams.ts'), 'run', service.module], {
    cwd: repoDir,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      HTTP_PORT: String(service.port),
      APPLICATION_SERVER: `127.0.0.1:${service.port}`,
      STATE_DIR: service.stateDir,
    },
    stdio: ['ignore', log, log],
    // Its own process group: a terminal's Ctrl-C reaches only the demo, which stops the load first.
    detached: true,
  });
  // Should the demo die without its orderly stop, it takes its services with it.
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', stopOnExit);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => resolve('spawn failed'));
  });
  return { ...service, child, exited };
}

/** Resolves once the service answers GET /health/ready with 200; fails if it exits or the time runs out. */
export async function waitUntilReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  void service.exited.then((how) => {
    exit = how;
  });
  for (;;) {
    if (exit !== undefined) {
      throw new KStreamsError('PROCESSING_FAILED', `Service ${service.name} exited (${exit}) while starting.`, {
        hint: `Read its log: ${service.logFile}`,
      });
    }
    try {
      const answer = await fetch(`http://127.0.0.1:${service.port}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      if (answer.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new KStreamsError(
        'PROCESSING_FAILED',
        `Service ${service.name} was not ready after ${timeoutMs / 1000} s.`,
        {
          hint: `Read its log: ${service.logFile}`,
          retriable: true,
        },
      );
    }
    await sleep(500);
  }
}

/** SIGTERMs every service at once (each commits and leaves its group), SIGKILLs what is left after the bound. */
export async function stopServices(services: readonly RunningService[], timeoutMs: number): Promise<string[]> {
  const problems: string[] = [];
  for (const service of services) {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGTERM');
  }
  await Promise.all(
    services.map(async (service) => {
      const how = await Promise.race([service.exited, sleep(timeoutMs).then(() => undefined)]);
      if (how === undefined) {
        problems.push(`${service.name} ignored SIGTERM for ${timeoutMs / 1000} s and was killed`);
        service.child.kill('SIGKILL');
        await service.exited;
      } else if (how !== 0) {
        problems.push(`${service.name} exited with ${how} (see ${service.logFile})`);
      }
    }),
  );
  return problems;
}

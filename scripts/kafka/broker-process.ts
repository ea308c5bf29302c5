import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ClusterSize, NodeLayout } from './cluster-layout.ts';

/** Per-node heap: the machines we run on are small (2 cores), and three nodes must fit beside the tests. */
export function heapFor(size: ClusterSize): string {
  return size === 1 ? '768m' : '512m';
}

export function brokerJvmArgs(options: {
  readonly libsDir: string;
  readonly log4jConfig: string;
  readonly node: NodeLayout;
  readonly heap: string;
}): string[] {
  return [
    '-Xms256m',
    `-Xmx${options.heap}`,
    // Kafka's own launcher defaults (kafka-run-class.sh).
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${options.log4jConfig}`,
    `-Dkafka.logs.dir=${options.node.logsDir}`,
    '-cp',
    join(options.libsDir, '*'),
    'kafka.Kafka',
    options.node.propertiesFile,
  ];
}

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function writePid(pidFile: string, pid: number): Promise<void> {
  await writeFile(pidFile, `${pid}\n`);
}

export async function removePid(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/**
 * True when `pid` is alive and, where /proc exists, still runs this node's server.properties
 * (a recycled pid of an unrelated process must not count as our broker, nor be killed).
 */
export function isBrokerAlive(pid: number, node: NodeLayout): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  try {
    // A zombie (exited, not yet reaped) still answers kill(pid, 0).
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return false;
  } catch {
    return false;
  }
  return cmdline.split('\0').includes(node.propertiesFile);
}

/** Resolves to true when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface SpawnedBroker {
  readonly pid: number;
  /** Resolves with the exit code (or signal) if the broker dies while this process is still running. */
  readonly exited: Promise<string>;
}

/** Starts one broker JVM detached from this process (it outlives the script), stdio to its stdout log. */
export function spawnBroker(java: string, args: readonly string[], stdoutLog: string): SpawnedBroker {
  const fd = openSync(stdoutLog, 'w');
  try {
    const child = spawn(java, args, { detached: true, stdio: ['ignore', fd, fd] });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
      child.once('error', (error) => resolve(error.message));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`Could not start ${java}.`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KStreamsError } from '../../src/errors.ts';
import { ensureBrokerLibs } from './broker-libs.ts';
import {
  brokerJvmArgs,
  heapFor,
  isBrokerAlive,
  isPortFree,
  readPid,
  removePid,
  type SpawnedBroker,
  spawnBroker,
  writePid,
} from './broker-process.ts';
import {
  type ClusterLayout,
  type ClusterSize,
  clusterLayout,
  clusterSizes,
  type NodeLayout,
  plaintextBootstrap,
  repoDir,
  runtimeDir,
  saslBootstrap,
} from './cluster-layout.ts';
import { tailFile } from './log-tail.ts';
import { probeMetadata } from './metadata-probe.ts';
import { checkJava, runCommand } from './prerequisites.ts';
import { renderLog4j2Config, renderServerProperties } from './server-properties.ts';

export interface KafkaScriptOptions {
  /** The repository whose `.kafka/` directory holds the runtime data; defaults to this checkout. */
  readonly repoDir?: string;
  /** Progress lines; defaults to console.log. */
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface StartKafkaOptions extends KafkaScriptOptions {
  readonly brokers?: ClusterSize;
  /** How long to wait until every broker is registered and answers metadata requests. */
  readonly readyTimeoutMs?: number;
}

export interface StartKafkaResult {
  /** `external`: KAFKA_BROKERS names a cluster, nothing was started. */
  readonly outcome: 'started' | 'already-running' | 'external';
  readonly bootstrap: readonly string[];
  readonly saslBootstrap: readonly string[];
}

export interface NodeStatus {
  readonly node: NodeLayout;
  readonly pid: number | undefined;
  readonly state: 'running' | 'stopped' | 'stale-pid-file';
}

export interface ClusterStatus {
  readonly layout: ClusterLayout;
  readonly nodes: readonly NodeStatus[];
  readonly running: boolean;
}

const defaultReadyTimeoutMs = 90_000;
const stopTimeoutMs = 30_000;

function optionsWithDefaults(options: KafkaScriptOptions) {
  return {
    repoDir: options.repoDir ?? repoDir,
    log: options.log ?? ((line: string) => console.log(line)),
    env: options.env ?? process.env,
  };
}

async function nodeStatus(node: NodeLayout): Promise<NodeStatus> {
  const pid = await readPid(node.pidFile);
  if (pid === undefined) return { node, pid, state: 'stopped' };
  return { node, pid, state: isBrokerAlive(pid, node) ? 'running' : 'stale-pid-file' };
}

/** The state of each local cluster (1 and 3 nodes) that has ever been started in this checkout. */
export async function kafkaStatus(options: KafkaScriptOptions = {}): Promise<ClusterStatus[]> {
  const { repoDir } = optionsWithDefaults(options);
  const clusters: ClusterStatus[] = [];
  for (const size of clusterSizes) {
    const layout = clusterLayout(repoDir, size);
    if (!existsSync(layout.dir)) continue;
    const nodes = await Promise.all(layout.nodes.map(nodeStatus));
    clusters.push({ layout, nodes, running: nodes.some((node) => node.state === 'running') });
  }
  return clusters;
}

/** Kafka's cluster ids are 16 random bytes in unpadded base64url, never starting with '-'. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function clusterId(layout: ClusterLayout): Promise<string> {
  try {
    return (await readFile(layout.clusterIdFile, 'utf8')).trim();
  } catch {
    const id = randomClusterId();
    await writeFile(layout.clusterIdFile, `${id}\n`);
    return id;
  }
}

async function formatStorage(java: string, libsDir: string, id: string, node: NodeLayout): Promise<void> {
  if (existsSync(join(node.dataDir, 'meta.properties'))) return;
  const result = await runCommand(java, [
    '-Xmx256m',
    '-cp',
    join(libsDir, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    id,
    '-c',
    node.propertiesFile,
  ]);
  if (result.code !== 0) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `Formatting the KRaft storage of node ${node.id} failed:\n${result.output.trim()}`,
      {
        hint: `remove ${node.dataDir} (its data is lost) and start again.`,
      },
    );
  }
}

async function assertPortsFree(nodes: readonly NodeLayout[]): Promise<void> {
  for (const node of nodes) {
    for (const port of Object.values(node.ports)) {
      if (!(await isPortFree(node.host, port))) {
        throw new KStreamsError('CONFIG_INVALID', `Port ${node.host}:${port} is already in use by another process.`, {
          hint: `find it with \`ss -ltnp | grep :${port}\` and stop it; if it is a Kafka you want to use, set KAFKA_BROKERS=${node.host}:${node.ports.plaintext} instead.`,
        });
      }
    }
  }
}

async function logExcerpt(node: NodeLayout): Promise<string> {
  const lines = [...(await tailFile(node.stdoutLog, 10)), ...(await tailFile(node.serverLog, 15))];
  const errors = lines.filter((line) => /ERROR|Exception|Error:/.test(line));
  return (errors.length > 0 ? errors : lines).slice(-12).join('\n');
}

/** Resolves once every node answers a Metadata request listing all `size` brokers. */
async function waitUntilReady(
  layout: ClusterLayout,
  spawned: ReadonlyMap<number, SpawnedBroker>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const deaths = [...spawned].map(([id, broker]) => broker.exited.then((how) => ({ id, how })));
  const died = Promise.race(deaths);
  let lastProblem = 'no answer yet';
  for (;;) {
    const answers = await Promise.allSettled(
      layout.nodes.map((node) => probeMetadata(node.host, node.ports.plaintext, 2000)),
    );
    const ready = answers.every(
      (answer) => answer.status === 'fulfilled' && answer.value.brokers.length >= layout.size,
    );
    if (ready) return;
    const pending = answers.findIndex(
      (answer) => answer.status === 'rejected' || answer.value.brokers.length < layout.size,
    );
    const answer = answers[pending];
    lastProblem =
      answer?.status === 'rejected'
        ? `node ${pending}: ${(answer.reason as Error).message}`
        : `node ${pending} sees ${answer?.value.brokers.length ?? 0} of ${layout.size} brokers`;
    const dead = await Promise.race([died, sleep(500).then(() => undefined)]);
    if (dead) {
      const node = layout.nodes[dead.id] as NodeLayout;
      throw new KStreamsError(
        'KAFKA_UNREACHABLE',
        `Kafka node ${dead.id} exited during startup (${dead.how}):\n${await logExcerpt(node)}`,
        {
          hint: `read ${node.serverLog} and ${node.stdoutLog}.`,
        },
      );
    }
    if (Date.now() > deadline) {
      const logs = layout.nodes.map((node) => node.serverLog).join(', ');
      throw new KStreamsError(
        'KAFKA_UNREACHABLE',
        `The local Kafka cluster was not ready after ${timeoutMs / 1000} s (${lastProblem}).`,
        {
          hint: `read the broker logs: ${logs} (or \`npm run kafka -- logs\`).`,
          retriable: true,
        },
      );
    }
  }
}

function externalBrokers(env: NodeJS.ProcessEnv): string[] | undefined {
  const value = env.KAFKA_BROKERS?.trim();
  return value ? value.split(',').map((broker) => broker.trim()) : undefined;
}

/**
 * Starts the local KRaft cluster (1 node by default) and resolves once every broker is registered.
 * Harmless when the same cluster already runs; refuses when a cluster of another size runs.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<StartKafkaResult> {
  const { repoDir, log, env } = optionsWithDefaults(options);
  const size = options.brokers ?? 1;
  const external = externalBrokers(env);
  if (external) {
    log(`KAFKA_BROKERS is set (${external.join(',')}): using that external cluster, nothing started.`);
    return {
      outcome: 'external',
      bootstrap: external,
      saslBootstrap: externalBrokers({ KAFKA_BROKERS: env.KAFKA_SASL_BROKERS }) ?? [],
    };
  }
  const layout = clusterLayout(repoDir, size);
  const result = { bootstrap: plaintextBootstrap(layout), saslBootstrap: saslBootstrap(layout) };
  const readyTimeoutMs = options.readyTimeoutMs ?? defaultReadyTimeoutMs;
  const other = (await kafkaStatus({ repoDir })).find((cluster) => cluster.running && cluster.layout.size !== size);
  if (other) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `A local ${other.layout.size}-broker Kafka cluster is running; cannot start a ${size}-broker one beside it.`,
      {
        hint: `stop it first with \`npm run kafka -- stop\`, or use it: \`npm run kafka -- start --brokers ${other.layout.size}\`.`,
      },
    );
  }
  const statuses = await Promise.all(layout.nodes.map(nodeStatus));
  const toStart = statuses.filter((status) => status.state !== 'running').map((status) => status.node);
  if (toStart.length === 0) {
    await waitUntilReady(layout, new Map(), readyTimeoutMs);
    log(`Local Kafka (${size} broker${size > 1 ? 's' : ''}) is already running: ${result.bootstrap.join(',')}`);
    return { outcome: 'already-running', ...result };
  }

  const started = Date.now();
  const java = await checkJava(env);
  const libsDir = await ensureBrokerLibs(log);
  await assertPortsFree(toStart);
  const log4jConfig = join(runtimeDir(repoDir), 'log4j2.yaml');
  await mkdir(layout.dir, { recursive: true });
  await writeFile(log4jConfig, renderLog4j2Config());
  const id = await clusterId(layout);
  for (const node of toStart) {
    await mkdir(node.logsDir, { recursive: true });
    await writeFile(node.propertiesFile, renderServerProperties(layout, node));
  }
  await Promise.all(toStart.map((node) => formatStorage(java, libsDir, id, node)));

  const spawned = new Map<number, SpawnedBroker>();
  for (const node of toStart) {
    const args = brokerJvmArgs({ libsDir, log4jConfig, node, heap: heapFor(size) });
    const broker = spawnBroker(java, args, node.stdoutLog);
    await writePid(node.pidFile, broker.pid);
    spawned.set(node.id, broker);
  }
  log(`Starting local Kafka ${size === 1 ? '(1 broker)' : `(${size} brokers)`}, logs in ${layout.dir}/node-*/logs ...`);
  try {
    await waitUntilReady(layout, spawned, readyTimeoutMs);
  } catch (error) {
    // Leave no half-started cluster behind; the logs stay for diagnosis.
    await stopNodes(toStart, () => {});
    throw error;
  }
  log(
    `Local Kafka is ready in ${((Date.now() - started) / 1000).toFixed(1)} s: PLAINTEXT ${result.bootstrap.join(',')}, SASL_PLAINTEXT ${result.saslBootstrap.join(',')}`,
  );
  return { outcome: 'started', ...result };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function stopNodes(nodes: readonly NodeLayout[], log: (line: string) => void): Promise<number> {
  const live: { node: NodeLayout; pid: number }[] = [];
  for (const node of nodes) {
    const pid = await readPid(node.pidFile);
    if (pid !== undefined && isBrokerAlive(pid, node)) live.push({ node, pid });
    else await removePid(node.pidFile);
  }
  // All at once: a quorum that loses members one by one makes the last controlled shutdowns wait.
  for (const { pid } of live) signal(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  let remaining = live;
  while (remaining.length > 0 && Date.now() < deadline) {
    await sleep(200);
    remaining = remaining.filter(({ node, pid }) => isBrokerAlive(pid, node));
  }
  for (const { node, pid } of remaining) {
    log(`Node ${node.id} (pid ${pid}) ignored SIGTERM for ${stopTimeoutMs / 1000} s; killing it.`);
    signal(pid, 'SIGKILL');
  }
  const killDeadline = Date.now() + 5000;
  while (remaining.length > 0 && Date.now() < killDeadline) {
    await sleep(100);
    remaining = remaining.filter(({ node, pid }) => isBrokerAlive(pid, node));
  }
  for (const { node } of live) await removePid(node.pidFile);
  return live.length;
}

/** Stops every local cluster node that runs (SIGTERM, SIGKILL after 30 s) and removes the pid files. */
export async function stopKafka(options: KafkaScriptOptions = {}): Promise<{ stopped: number }> {
  const { repoDir, log } = optionsWithDefaults(options);
  const started = Date.now();
  let stopped = 0;
  for (const cluster of await kafkaStatus({ repoDir })) {
    const count = await stopNodes(cluster.layout.nodes, log);
    if (count > 0)
      log(
        `Stopped the local ${cluster.layout.size}-broker Kafka (${count} node${count > 1 ? 's' : ''}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
    stopped += count;
  }
  if (stopped === 0) log('No local Kafka is running.');
  return { stopped };
}

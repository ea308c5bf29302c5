import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The broker release the project develops and tests against. */
export const kafkaVersion = '4.1.2';

/** Cluster sizes the script can run. */
export const clusterSizes = [1, 3] as const;
export type ClusterSize = (typeof clusterSizes)[number];

const host = '127.0.0.1';
const plaintextBasePort = 9092;
const controllerBasePort = 19092;
const saslBasePort = 29092;

export interface NodePorts {
  readonly plaintext: number;
  readonly controller: number;
  readonly sasl: number;
}

export interface NodeLayout {
  /** KRaft node.id; node i serves the ports 9092 + i, 19092 + i and 29092 + i. */
  readonly id: number;
  readonly host: string;
  readonly ports: NodePorts;
  readonly dir: string;
  readonly dataDir: string;
  readonly logsDir: string;
  /** Written by log4j2 inside the broker. */
  readonly serverLog: string;
  /** The JVM's own stdout/stderr (startup failures that happen before log4j2 is up). */
  readonly stdoutLog: string;
  readonly propertiesFile: string;
  readonly pidFile: string;
}

export interface ClusterLayout {
  readonly size: ClusterSize;
  readonly dir: string;
  /** Holds the KRaft cluster id shared by every node, so each node is formatted with the same one. */
  readonly clusterIdFile: string;
  readonly nodes: readonly NodeLayout[];
}

export function nodePorts(id: number): NodePorts {
  return { plaintext: plaintextBasePort + id, controller: controllerBasePort + id, sasl: saslBasePort + id };
}

/** Runtime data of the local clusters: KRaft storage, logs, pid files (gitignored). */
export function runtimeDir(repoDir: string): string {
  return join(repoDir, '.kafka');
}

/** 1 and 3 node clusters keep separate data, so switching between them never mixes KRaft metadata. */
export function clusterLayout(repoDir: string, size: ClusterSize): ClusterLayout {
  const dir = join(runtimeDir(repoDir), `cluster-${size}`);
  const nodes = Array.from({ length: size }, (_, id): NodeLayout => {
    const nodeDir = join(dir, `node-${id}`);
    const logsDir = join(nodeDir, 'logs');
    return {
      id,
      host,
      ports: nodePorts(id),
      dir: nodeDir,
      dataDir: join(nodeDir, 'data'),
      logsDir,
      serverLog: join(logsDir, 'server.log'),
      stdoutLog: join(logsDir, 'stdout.log'),
      propertiesFile: join(nodeDir, 'server.properties'),
      pidFile: join(nodeDir, 'kafka.pid'),
    };
  });
  return { size, dir, clusterIdFile: join(dir, 'cluster.id'), nodes };
}

export function plaintextBootstrap(layout: ClusterLayout): string[] {
  return layout.nodes.map((node) => `${node.host}:${node.ports.plaintext}`);
}

export function saslBootstrap(layout: ClusterLayout): string[] {
  return layout.nodes.map((node) => `${node.host}:${node.ports.sasl}`);
}

/** `${KSTREAMS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kstreams}`: downloads live outside git. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KSTREAMS_CACHE_DIR) return resolve(env.KSTREAMS_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(resolve(xdg), 'kstreams');
}

export function brokerLibsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `kafka-${kafkaVersion}`, 'libs');
}

/** The repository root: scripts/kafka/ is two levels below it. */
export const repoDir = resolve(import.meta.dirname, '..', '..');

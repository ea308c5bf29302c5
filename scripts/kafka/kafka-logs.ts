import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { ClusterSize } from './cluster-layout.ts';
import { type KafkaScriptOptions, kafkaStatus } from './local-cluster.ts';
import { tailFile } from './log-tail.ts';

export interface KafkaLogsOptions extends KafkaScriptOptions {
  /** Which cluster; defaults to the running one, else the 1-broker one. */
  readonly brokers?: ClusterSize;
  readonly lines?: number;
  readonly follow?: boolean;
}

function nonEmpty(file: string): boolean {
  return existsSync(file) && statSync(file).size > 0;
}

/** Prints the last lines of each node's log files; with `follow`, keeps printing until interrupted. */
export async function kafkaLogs(options: KafkaLogsOptions = {}): Promise<void> {
  const write = options.log ?? ((line: string) => console.log(line));
  const clusters = await kafkaStatus(options);
  const cluster =
    clusters.find((candidate) => candidate.layout.size === options.brokers) ??
    (options.brokers === undefined ? (clusters.find((candidate) => candidate.running) ?? clusters[0]) : undefined);
  if (!cluster) {
    write('No local Kafka has been started in this checkout (npm run kafka -- start).');
    return;
  }
  // The JVM's own output is usually empty; show it only when something (a crash) was written there.
  const files = cluster.layout.nodes.flatMap((node) => [
    ...(nonEmpty(node.stdoutLog) ? [node.stdoutLog] : []),
    ...(existsSync(node.serverLog) ? [node.serverLog] : []),
  ]);
  if (files.length === 0) {
    write(`No log files in ${cluster.layout.dir} yet.`);
    return;
  }
  const lines = options.lines ?? 50;
  if (options.follow) {
    // tail -F keeps following across log4j2's size-based rollovers.
    const tail = spawn('tail', ['-n', String(lines), '-F', ...files], { stdio: 'inherit' });
    await new Promise<void>((resolve) => tail.once('close', () => resolve()));
    return;
  }
  for (const file of files) {
    const tailLines = await tailFile(file, lines);
    if (tailLines.length === 0) continue;
    write(`==> ${file} <==`);
    for (const line of tailLines) write(line);
  }
}

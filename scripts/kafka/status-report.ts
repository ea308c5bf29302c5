import type { ClusterStatus, NodeStatus } from './local-cluster.ts';
import { probeMetadata } from './metadata-probe.ts';

/** What a running node answered to a Metadata request: the broker count it sees, or why it did not answer. */
export type NodeAnswer = { readonly brokers: number } | { readonly error: string } | undefined;

function describeState(status: NodeStatus, answer: NodeAnswer): string {
  if (status.state === 'stopped') return 'stopped';
  if (status.state === 'stale-pid-file') return `stopped (stale pid file, pid ${status.pid} is gone)`;
  if (answer === undefined) return `running (pid ${status.pid})`;
  if ('error' in answer) return `running (pid ${status.pid}), not answering: ${answer.error}`;
  return `running (pid ${status.pid}), ready, sees ${answer.brokers} broker${answer.brokers === 1 ? '' : 's'}`;
}

/** One block per cluster, one line per node. */
export function formatStatus(clusters: readonly ClusterStatus[], answers: ReadonlyMap<string, NodeAnswer>): string {
  if (clusters.length === 0) return 'No local Kafka has been started in this checkout (npm run kafka -- start).';
  return clusters
    .map((cluster) => {
      const header = `${cluster.layout.size}-broker cluster (${cluster.layout.dir}): ${cluster.running ? 'running' : 'stopped'}`;
      const lines = cluster.nodes.map(({ node, ...status }) => {
        const { plaintext, sasl, controller } = node.ports;
        const state = describeState({ node, ...status }, answers.get(node.pidFile));
        return `  node ${node.id}  PLAINTEXT ${node.host}:${plaintext}  SASL_PLAINTEXT ${node.host}:${sasl}  controller ${node.host}:${controller}  ${state}`;
      });
      return [header, ...lines].join('\n');
    })
    .join('\n');
}

/** Asks every running node for metadata, keyed by the node's pid file. */
export async function probeRunningNodes(clusters: readonly ClusterStatus[]): Promise<Map<string, NodeAnswer>> {
  const running = clusters.flatMap((cluster) => cluster.nodes.filter((status) => status.state === 'running'));
  const answers = await Promise.all(
    running.map(async ({ node }): Promise<[string, NodeAnswer]> => {
      try {
        const probe = await probeMetadata(node.host, node.ports.plaintext, 2000);
        return [node.pidFile, { brokers: probe.brokers.length }];
      } catch (error) {
        return [node.pidFile, { error: (error as Error).message }];
      }
    }),
  );
  return new Map(answers);
}

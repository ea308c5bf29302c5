import { describe, expect, it } from 'vitest';
import { clusterLayout } from '../../../scripts/kafka/cluster-layout.ts';
import type { ClusterStatus } from '../../../scripts/kafka/local-cluster.ts';
import { formatStatus, type NodeAnswer } from '../../../scripts/kafka/status-report.ts';

describe('formatStatus', () => {
  it('says how to start a cluster when none was ever started', () => {
    expect(formatStatus([], new Map())).toMatch(/npm run kafka -- start/);
  });

  it('prints one line per node with its ports, pid and what it answered', () => {
    const layout = clusterLayout('/repo', 3);
    const [first, second, third] = layout.nodes;
    const cluster: ClusterStatus = {
      layout,
      running: true,
      nodes: [
        { node: first!, pid: 100, state: 'running' },
        { node: second!, pid: 101, state: 'running' },
        { node: third!, pid: 102, state: 'stale-pid-file' },
      ],
    };
    const answers = new Map<string, NodeAnswer>([
      [first!.pidFile, { brokers: 2 }],
      [second!.pidFile, { error: 'connect ECONNREFUSED 127.0.0.1:9093' }],
    ]);
    expect(formatStatus([cluster], answers).split('\n')).toEqual([
      '3-broker cluster (/repo/.kafka/cluster-3): running',
      '  node 0  PLAINTEXT 127.0.0.1:9092  SASL_PLAINTEXT 127.0.0.1:29092  controller 127.0.0.1:19092  running (pid 100), ready, sees 2 brokers',
      '  node 1  PLAINTEXT 127.0.0.1:9093  SASL_PLAINTEXT 127.0.0.1:29093  controller 127.0.0.1:19093  running (pid 101), not answering: connect ECONNREFUSED 127.0.0.1:9093',
      '  node 2  PLAINTEXT 127.0.0.1:9094  SASL_PLAINTEXT 127.0.0.1:29094  controller 127.0.0.1:19094  stopped (stale pid file, pid 102 is gone)',
    ]);
  });
});

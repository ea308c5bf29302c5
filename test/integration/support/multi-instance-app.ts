/**
 * One instance of the key-totals application for the multi-instance proof: started with
 * `node test/integration/support/multi-instance-app.ts`, configured by environment variables (its own
 * state dir and `applicationServer`). On every change to RUNNING it prints one JSON line with its tasks
 * and the group's metadata as it learnt it; closes cleanly on SIGTERM.
 */
import { KafkaStreams } from '../../../src/runtime/kafka-streams.ts';
import { consoleLogger } from '../../../src/runtime/logger.ts';
import { keyTotalsTopology } from './key-totals-topology.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const topology = keyTotalsTopology({
  input: required('INPUT_TOPIC'),
  countOutput: required('COUNT_OUTPUT_TOPIC'),
  sumOutput: required('SUM_OUTPUT_TOPIC'),
});
const app = new KafkaStreams(topology, {
  applicationId: required('APPLICATION_ID'),
  bootstrapServers: required('KAFKA_BROKERS'),
  clientAdapter: required('CLIENT_ADAPTER') === 'kafkajs' ? 'kafkajs' : 'platformatic',
  stateDir: required('STATE_DIR'),
  applicationServer: required('APPLICATION_SERVER'),
  commitIntervalMs: 200,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  logger: consoleLogger(),
});

app.onStateChange((state) => {
  const tasks = app.tasks().map((t) => `${t.subtopology}_${t.partition}`);
  const line = state === 'RUNNING' ? { state, tasks, metadata: app.allMetadata() } : { state };
  process.stdout.write(`${JSON.stringify(line)}\n`);
});
process.once('SIGTERM', () => {
  void app.close({ timeoutMs: 15_000 }).then((clean) => process.exit(clean ? 0 : 2));
});
await app.start();

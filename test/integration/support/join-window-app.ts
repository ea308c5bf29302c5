/**
 * One instance of the join-window application for the multi-instance proof: started with
 * `node test/integration/support/join-window-app.ts`, configured by environment variables (its own state
 * dir). On every change to RUNNING it prints one JSON line with its tasks; closes cleanly on SIGTERM.
 */
import { KafkaStreams } from '../../../src/runtime/kafka-streams.ts';
import { consoleLogger } from '../../../src/runtime/logger.ts';
import { joinWindowTopology } from './join-window-topology.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const topology = joinWindowTopology({
  customers: required('CUSTOMERS_TOPIC'),
  orders: required('ORDERS_TOPIC'),
  enriched: required('ENRICHED_TOPIC'),
  windowCounts: required('WINDOW_COUNTS_TOPIC'),
});
const app = new KafkaStreams(topology, {
  applicationId: required('APPLICATION_ID'),
  bootstrapServers: required('KAFKA_BROKERS'),
  clientAdapter: required('CLIENT_ADAPTER') === 'kafkajs' ? 'kafkajs' : 'platformatic',
  stateDir: required('STATE_DIR'),
  commitIntervalMs: 200,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  logger: consoleLogger(),
});

app.onStateChange((state) => {
  const tasks = app.tasks().map((t) => `${t.subtopology}_${t.partition}`);
  process.stdout.write(`${JSON.stringify(state === 'RUNNING' ? { state, tasks } : { state })}\n`);
});
process.once('SIGTERM', () => {
  void app.close({ timeoutMs: 15_000 }).then((clean) => process.exit(clean ? 0 : 2));
});
await app.start();

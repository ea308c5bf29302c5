/**
 * The key-totals application as a process of its own, for the state crash proof: started with
 * `node test/integration/support/key-totals-app.ts` and configured by environment variables (its state dir
 * is fixed, so a restart finds the local state of the process it replaces). Prints one JSON line per state
 * change on stdout; closes cleanly on SIGTERM.
 */
import { KafkaStreams } from '../../../src/runtime/kafka-streams.ts';
import { consoleLogger } from '../../../src/runtime/logger.ts';
import { keyTotalsTopology } from './key-totals-topology.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const adapter = required('CLIENT_ADAPTER');
const topology = keyTotalsTopology({
  input: required('INPUT_TOPIC'),
  countOutput: required('COUNT_OUTPUT_TOPIC'),
  sumOutput: required('SUM_OUTPUT_TOPIC'),
});
const app = new KafkaStreams(topology, {
  applicationId: required('APPLICATION_ID'),
  bootstrapServers: required('KAFKA_BROKERS'),
  clientAdapter: adapter === 'kafkajs' ? 'kafkajs' : 'platformatic',
  stateDir: required('STATE_DIR'),
  commitIntervalMs: Number(process.env.COMMIT_INTERVAL_MS ?? 200),
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  logger: consoleLogger(),
});

app.onStateChange((state) => process.stdout.write(`${JSON.stringify({ state })}\n`));
process.once('SIGTERM', () => {
  void app.close({ timeoutMs: 15_000 }).then((clean) => process.exit(clean ? 0 : 2));
});
await app.start();

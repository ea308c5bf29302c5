/**
 * The word-split application as a process of its own, for the crash tests: started with
 * `node test/integration/support/word-split-app.ts` and configured by environment variables. Prints one
 * JSON line per state change on stdout; closes cleanly on SIGTERM.
 */
import { KafkaStreams } from '../../../src/runtime/kafka-streams.ts';
import { consoleLogger } from '../../../src/runtime/logger.ts';
import { wordSplitTopology } from './word-split-topology.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const adapter = required('CLIENT_ADAPTER');
const app = new KafkaStreams(wordSplitTopology(required('INPUT_TOPIC'), required('OUTPUT_TOPIC')), {
  applicationId: required('APPLICATION_ID'),
  bootstrapServers: required('KAFKA_BROKERS'),
  clientAdapter: adapter === 'kafkajs' ? 'kafkajs' : 'platformatic',
  commitIntervalMs: Number(process.env.COMMIT_INTERVAL_MS ?? 100),
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  logger: consoleLogger(),
});

app.onStateChange((state) => process.stdout.write(`${JSON.stringify({ state })}\n`));
process.once('SIGTERM', () => {
  void app.close({ timeoutMs: 15_000 }).then((clean) => process.exit(clean ? 0 : 2));
});
await app.start();

import { kafkaStatus, startKafka, stopKafka } from '../../scripts/kafka/index.ts';

let startedHere = false;

/**
 * vitest global setup: without KAFKA_BROKERS, runs the tests against the local broker (reusing a local
 * cluster that already runs), and exports its addresses to the test workers. Returns the teardown,
 * because vitest ignores a named `teardown` export when the file has a default export.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.KAFKA_BROKERS) return teardown;
  const running = (await kafkaStatus()).find((cluster) => cluster.running);
  const result = await startKafka({ brokers: running?.layout.size ?? 1 });
  startedHere = result.outcome === 'started';
  process.env.KAFKA_BROKERS = result.bootstrap.join(',');
  process.env.KAFKA_SASL_BROKERS = result.saslBootstrap.join(',');
  return teardown;
}

/** Stops the broker only when this run started it; one that was already running stays up. */
export async function teardown(): Promise<void> {
  if (!startedHere) return;
  startedHere = false;
  await stopKafka();
}

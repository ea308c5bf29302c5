// `npm run kafka -- start|stop|status|logs [--brokers 1|3]`: a real local Kafka for development and tests.
import { isKStreamsError } from '../src/errors.ts';
import { parseKafkaArgs } from './kafka/cli-args.ts';
import { kafkaLogs } from './kafka/kafka-logs.ts';
import { kafkaStatus, startKafka, stopKafka } from './kafka/local-cluster.ts';
import { formatStatus, probeRunningNodes } from './kafka/status-report.ts';

async function main(argv: readonly string[]): Promise<void> {
  const args = parseKafkaArgs(argv);
  switch (args.command) {
    case 'start':
      await startKafka(args.brokers === undefined ? {} : { brokers: args.brokers });
      return;
    case 'stop':
      await stopKafka();
      return;
    case 'status': {
      if (process.env.KAFKA_BROKERS)
        console.log(`KAFKA_BROKERS is set (${process.env.KAFKA_BROKERS}): tests use that cluster.`);
      const clusters = await kafkaStatus();
      console.log(formatStatus(clusters, await probeRunningNodes(clusters)));
      return;
    }
    case 'logs':
      await kafkaLogs({
        lines: args.lines,
        follow: args.follow,
        ...(args.brokers === undefined ? {} : { brokers: args.brokers }),
      });
      return;
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // Expected failures (no Java, port taken, not ready) get their message and fix, not a stack trace.
  if (!isKStreamsError(error)) throw error;
  console.error(`kafka: ${error.message}`);
  process.exitCode = 1;
}

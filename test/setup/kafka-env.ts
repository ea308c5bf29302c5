import { KStreamsError } from '../../src/errors.ts';

function brokerList(variable: string, hint: string): string[] {
  const value = process.env[variable]?.trim();
  if (!value) throw new KStreamsError('CONFIG_INVALID', `${variable} is not set.`, { hint });
  return value.split(',').map((broker) => broker.trim());
}

/** The PLAINTEXT bootstrap brokers of the cluster the tests run against. */
export function testBrokers(): string[] {
  return brokerList(
    'KAFKA_BROKERS',
    'set KAFKA_BROKERS to a PLAINTEXT listener (e.g. 127.0.0.1:9092), or run the tests through vitest so its global setup starts the local broker.',
  );
}

/** The SASL_PLAINTEXT bootstrap brokers, for the authentication tests. */
export function testSaslBrokers(): string[] {
  return brokerList(
    'KAFKA_SASL_BROKERS',
    'set KAFKA_SASL_BROKERS to a SASL_PLAINTEXT listener with PLAIN user kstreams/kstreams-secret.',
  );
}

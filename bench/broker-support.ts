import { connect } from 'node:net';
import { KStreamsError } from '../src/errors.ts';

export const defaultBrokers = '127.0.0.1:9092';

/** Bootstrap brokers from KAFKA_BROKERS (comma-separated host:port), defaulting to the local cluster. */
export function brokersFromEnv(): string[] {
  const raw = process.env.KAFKA_BROKERS?.trim() || defaultBrokers;
  return raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

function answers(broker: string, timeoutMs: number): Promise<boolean> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/** Fails fast, with the fix, when no bootstrap broker accepts a TCP connection. */
export async function assertBrokersReachable(brokers: readonly string[], timeoutMs = 3000): Promise<void> {
  const results = await Promise.all(brokers.map((broker) => answers(broker, timeoutMs)));
  if (results.some(Boolean)) return;
  throw new KStreamsError('KAFKA_UNREACHABLE', `No Kafka broker answers at ${brokers.join(', ')}.`, {
    hint: 'Start the local cluster with `npm run kafka -- start`, or set KAFKA_BROKERS to a running broker (host:port).',
    retriable: true,
  });
}

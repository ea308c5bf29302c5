import { type ErrorCode, isKStreamsError, KStreamsError } from '../../errors.ts';
import type { ConnectionOptions } from '../types.ts';

/** What was being done when kafkajs failed: decides the fallback code and names things in the message. */
export interface ErrorContext {
  readonly connection: ConnectionOptions;
  readonly operation: string;
  readonly fallback: ErrorCode;
  readonly topics?: readonly string[];
}

interface KafkaJsErrorShape {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly topic?: string;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly errors?: readonly unknown[];
}

const unreachableNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSRequestTimeoutError',
]);
const rebalanceTypes = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
]);
const fencedTypes = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_FENCED']);
const authorizationTypes = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/** The error and everything it wraps (kafkajs nests errors in `originalError`, `cause` and `errors`). */
function* errorChain(error: unknown, depth = 0): Generator<KafkaJsErrorShape> {
  if (depth > 8 || typeof error !== 'object' || error === null) return;
  const shape = error as KafkaJsErrorShape;
  yield shape;
  yield* errorChain(shape.originalError, depth + 1);
  if (shape.cause !== shape.originalError) yield* errorChain(shape.cause, depth + 1);
  for (const inner of shape.errors ?? []) yield* errorChain(inner, depth + 1);
}

export function isRebalanceError(error: unknown): boolean {
  for (const e of errorChain(error)) if (e.type !== undefined && rebalanceTypes.has(e.type)) return true;
  return false;
}

/** Turns whatever kafkajs threw into a KStreamsError with a cause, a message naming it, and a fix. */
export function toKStreamsError(error: unknown, context: ErrorContext): KStreamsError {
  if (isKStreamsError(error)) return error;
  const chain = [...errorChain(error)];
  const detail = chain.map((e) => e.message).find((m) => m !== undefined && m.length > 0) ?? String(error);
  const brokers = context.connection.brokers.join(', ');
  const sasl = context.connection.sasl;

  if (sasl !== undefined && chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    return new KStreamsError(
      'KAFKA_AUTHENTICATION_FAILED',
      `Kafka rejected user "${sasl.username}" (SASL ${sasl.mechanism.toUpperCase()}) at ${brokers} while trying to ${context.operation}: ${detail}.`,
      { hint: 'Check the SASL username, password and mechanism the client is configured with.', cause: error },
    );
  }
  const missingTopic = chain.find((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION');
  if (missingTopic !== undefined)
    return topicNotFound(missingTopic.topic ?? context.topics?.join(', ') ?? '(unknown)', error);
  if (chain.some((e) => e.type === 'TOPIC_ALREADY_EXISTS')) {
    return new KStreamsError('KAFKA_TOPIC_EXISTS', `Topic ${context.topics?.join(', ') ?? ''} already exists.`, {
      hint: 'Create it with ignoreExisting, or pick another name.',
      cause: error,
    });
  }
  const authorization = chain.find((e) => e.type !== undefined && authorizationTypes.has(e.type));
  if (authorization !== undefined) {
    return new KStreamsError(
      'KAFKA_AUTHORIZATION_FAILED',
      `Kafka refused to ${context.operation}: ${authorization.message}.`,
      {
        hint: 'Grant the client user the ACLs it needs on these topics, groups and transactional ids.',
        cause: error,
      },
    );
  }
  if (chain.some((e) => e.type !== undefined && fencedTypes.has(e.type))) {
    return new KStreamsError(
      'KAFKA_FENCED',
      `This producer was fenced while trying to ${context.operation}: ${detail}.`,
      {
        hint: 'Another instance now owns this transactional id; close this producer and let the new owner continue.',
        cause: error,
      },
    );
  }
  if (isRebalanceError(error)) {
    return new KStreamsError(
      'KAFKA_REBALANCE_IN_PROGRESS',
      `The consumer group is rebalancing; could not ${context.operation}.`,
      {
        hint: 'Poll again: the listener is told about the new assignment, then work continues.',
        retriable: true,
        cause: error,
      },
    );
  }
  if (
    chain.some((e) => e.name !== undefined && unreachableNames.has(e.name)) ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH/.test(detail)
  ) {
    return new KStreamsError(
      'KAFKA_UNREACHABLE',
      `Cannot reach Kafka at ${brokers} to ${context.operation}: ${detail}.`,
      {
        hint: 'Start Kafka (`npm run kafka -- start`) or check KAFKA_BROKERS.',
        retriable: true,
        cause: error,
      },
    );
  }
  return new KStreamsError(context.fallback, `Could not ${context.operation}: ${detail}.`, {
    hint: 'See the cause for the error kafkajs reported.',
    retriable: chain.some((e) => (e as { retriable?: boolean }).retriable === true),
    cause: error,
  });
}

export function topicNotFound(topic: string, cause?: unknown): KStreamsError {
  return new KStreamsError('KAFKA_TOPIC_NOT_FOUND', `Topic ${topic} does not exist.`, {
    hint: `Create topic ${topic} first (admin.createTopics), or check its name.`,
    cause,
  });
}

/** Runs a kafkajs call and maps its failure. */
export async function mapErrors<T>(context: ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toKStreamsError(error, context);
  }
}

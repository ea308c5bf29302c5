import { KStreamsError } from '../../errors.ts';
import type { ConnectionOptions } from '../types.ts';

/** What the adapter was doing, so an error can name the topic, group or broker involved. */
export interface ErrorContext {
  readonly operation: string;
  readonly topics?: readonly string[];
  readonly groupId?: string;
}

export interface LibraryError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly apiId?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
}

/** Every error in the library's tree (MultipleErrors.errors and causes), depth first. */
export function* errorTree(error: unknown, depth = 0): Generator<LibraryError> {
  if (depth > 8 || typeof error !== 'object' || error === null) return;
  const node = error as LibraryError;
  yield node;
  if (Array.isArray(node.errors)) for (const child of node.errors) yield* errorTree(child, depth + 1);
  if (node.cause !== undefined) yield* errorTree(node.cause, depth + 1);
}

/** The first protocol error id (e.g. REBALANCE_IN_PROGRESS) found in a library error, if any. */
export function protocolErrorId(error: unknown): string | undefined {
  for (const node of errorTree(error)) if (typeof node.apiId === 'string') return node.apiId;
  return undefined;
}

export function hasProtocolError(error: unknown, ...ids: readonly string[]): boolean {
  for (const node of errorTree(error)) if (typeof node.apiId === 'string' && ids.includes(node.apiId)) return true;
  return false;
}

function missingTopic(error: unknown, context: ErrorContext): string | undefined {
  for (const node of errorTree(error)) {
    const message = typeof node.message === 'string' ? node.message : '';
    const unknown = /Unknown topic ([^\s.]+(?:\.[^\s.]+)*)\.?/.exec(message);
    if (unknown?.[1]) return unknown[1];
    if (node.apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || node.apiId === 'UNKNOWN_TOPIC_ID') {
      return context.topics?.[0] ?? 'unknown';
    }
  }
  return undefined;
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

function isUnreachable(error: unknown): boolean {
  for (const node of errorTree(error)) {
    const message = typeof node.message === 'string' ? node.message : '';
    if (typeof node.code === 'string' && unreachableCodes.has(node.code)) return true;
    if (/Cannot connect to any broker|Connection to .* failed|Connection ready timed out/.test(message)) return true;
  }
  return false;
}

function isAuthenticationFailure(error: unknown): boolean {
  for (const node of errorTree(error)) {
    if (node.code === 'PLT_KFK_AUTHENTICATION') return true;
    if (node.apiId === 'SASL_AUTHENTICATION_FAILED' || node.apiId === 'UNSUPPORTED_SASL_MECHANISM') return true;
  }
  return false;
}

const authorizationIds = ['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED'];
const fencedIds = [
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'FENCED_INSTANCE_ID',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
];
const rebalanceIds = ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'];

const failureCodes = {
  produce: 'KAFKA_PRODUCE_FAILED',
  consume: 'KAFKA_CONSUME_FAILED',
  commit: 'KAFKA_COMMIT_FAILED',
  transaction: 'KAFKA_TRANSACTION_FAILED',
  admin: 'KAFKA_ADMIN_FAILED',
} as const;

export type FailureKind = keyof typeof failureCodes;

/**
 * Turns any error of @platformatic/kafka into a KStreamsError naming the cause and the fix; the original
 * stays as `cause`. Errors that already are KStreamsErrors pass through.
 */
export function toKStreamsError(
  error: unknown,
  connection: ConnectionOptions,
  kind: FailureKind,
  context: ErrorContext,
): KStreamsError {
  if (error instanceof KStreamsError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (isAuthenticationFailure(error)) {
    const user = connection.sasl?.username ?? '(no user)';
    const mechanism = connection.sasl?.mechanism ?? 'none';
    return new KStreamsError(
      'KAFKA_AUTHENTICATION_FAILED',
      `Kafka rejected the SASL login of user "${user}" (mechanism ${mechanism}) at ${connection.brokers.join(', ')}.`,
      { hint: 'Check the SASL username, password and mechanism configured for this cluster.', cause: error },
    );
  }
  const topic = missingTopic(error, context);
  if (topic !== undefined) {
    return new KStreamsError('KAFKA_TOPIC_NOT_FOUND', `Topic "${topic}" does not exist (${context.operation}).`, {
      hint: `Create the topic "${topic}" first (kstreams creates internal topics itself; source and sink topics must exist), or fix its name.`,
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    return new KStreamsError(
      'KAFKA_UNREACHABLE',
      `Cannot reach any Kafka broker at ${connection.brokers.join(', ')} (${context.operation}).`,
      {
        hint: 'Start Kafka (`npm run kafka -- start`) or check KAFKA_BROKERS and that the brokers are reachable from here.',
        retriable: true,
        cause: error,
      },
    );
  }
  if (hasProtocolError(error, ...authorizationIds)) {
    return new KStreamsError('KAFKA_AUTHORIZATION_FAILED', `Kafka denied ${context.operation}: ${detail}`, {
      hint: 'Grant this principal the ACLs it needs on the topics and consumer group.',
      cause: error,
    });
  }
  if (hasProtocolError(error, ...fencedIds)) {
    return new KStreamsError('KAFKA_FENCED', `This client was fenced during ${context.operation}: ${detail}`, {
      hint: 'Another instance took over the same transactional id or group instance; close this one.',
      cause: error,
    });
  }
  if (hasProtocolError(error, ...rebalanceIds)) {
    return new KStreamsError(
      'KAFKA_REBALANCE_IN_PROGRESS',
      `The consumer group ${context.groupId ?? ''} is rebalancing (${context.operation}): ${detail}`,
      { hint: 'Poll again: the member rejoins the group and gets its new assignment.', retriable: true, cause: error },
    );
  }
  if (error instanceof Error && /Client is closed/.test(error.message)) {
    return new KStreamsError('KAFKA_CLIENT_CLOSED', `The Kafka client was already closed (${context.operation}).`, {
      hint: 'Create a new client; a closed one cannot be used again.',
      cause: error,
    });
  }
  return new KStreamsError(failureCodes[kind], `Kafka ${context.operation} failed: ${detail}`, {
    hint: 'See the cause for the broker error; retrying may help if the cluster was briefly unavailable.',
    retriable: isRetriable(error),
    cause: error,
  });
}

function isRetriable(error: unknown): boolean {
  for (const node of errorTree(error)) if ((node as { canRetry?: unknown }).canRetry === true) return true;
  return false;
}

/** Runs a library call and maps its failure. */
export async function mapErrors<T>(
  connection: ConnectionOptions,
  kind: FailureKind,
  context: ErrorContext,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toKStreamsError(error, connection, kind, context);
  }
}

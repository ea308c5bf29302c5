/**
 * The kstreams error catalogue. Every error the library raises has a stable code, a message naming the
 * cause, a hint naming the fix, and says whether retrying the same call can succeed.
 */
export const errorCodes = [
  'CONFIG_INVALID',
  'TOPOLOGY_INVALID',
  'PROCESSING_FAILED',
  'INVALID_TIMESTAMP',
  'STATE_STORE_NOT_CONNECTED',
  'STATE_DIR_LOCKED',
  'STATE_STORE_CORRUPT',
  'STATE_STORE_FAILED',
  'KAFKA_UNREACHABLE',
  'KAFKA_TOPIC_NOT_FOUND',
  'KAFKA_TOPIC_EXISTS',
  'KAFKA_AUTHENTICATION_FAILED',
  'KAFKA_AUTHORIZATION_FAILED',
  'KAFKA_PRODUCE_FAILED',
  'KAFKA_CONSUME_FAILED',
  'KAFKA_COMMIT_FAILED',
  'KAFKA_REBALANCE_IN_PROGRESS',
  'KAFKA_FENCED',
  'KAFKA_TRANSACTION_FAILED',
  'KAFKA_ADMIN_FAILED',
  'KAFKA_CLIENT_CLOSED',
  'KAFKA_UNSUPPORTED',
  'SERDE_SERIALIZATION_FAILED',
  'SERDE_DESERIALIZATION_FAILED',
  'ILLEGAL_STATE',
  'STORE_NOT_FOUND',
  'STORE_NOT_QUERYABLE',
  'QUERY_INVALID',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface KStreamsErrorOptions {
  /** What to do about it, in one sentence. */
  readonly hint: string;
  /** True when the same call may succeed if repeated later. */
  readonly retriable?: boolean;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

export class KStreamsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retriable: boolean;
  /** The message without the hint, for places that show the hint apart (headers, HTTP bodies). */
  readonly reason: string;

  constructor(code: ErrorCode, message: string, options: KStreamsErrorOptions) {
    super(`${message} Hint: ${options.hint}`, { cause: options.cause });
    this.name = 'KStreamsError';
    this.code = code;
    this.reason = message;
    this.hint = options.hint;
    this.retriable = options.retriable ?? false;
  }
}

export function isKStreamsError(error: unknown, code?: ErrorCode): error is KStreamsError {
  return error instanceof KStreamsError && (code === undefined || error.code === code);
}

/** A short description of any thrown value: a KStreamsError's reason, an Error's message, or the value. */
export function reasonOf(error: unknown): string {
  if (error instanceof KStreamsError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

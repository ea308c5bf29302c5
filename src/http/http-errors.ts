import { isKStreamsError } from '../errors.ts';

export interface ErrorAnswer {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly body: { readonly error: string; readonly message: string; readonly hint?: string };
}

/**
 * The HTTP answer for an error: bad input is a 400, unknown stores a 404, stores that are restoring or
 * moving a 503 with Retry-After. Anything else is a 500 with no details: stack traces stay in the logs.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (isKStreamsError(error)) {
    const body = { error: error.code, message: error.reason, hint: error.hint };
    if (error.code === 'QUERY_INVALID') return { status: 400, retryAfterSeconds: undefined, body };
    if (error.code === 'STORE_NOT_FOUND') return { status: 404, retryAfterSeconds: undefined, body };
    if (error.retriable) return { status: 503, retryAfterSeconds: 1, body };
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'Bad request.';
    return { status, retryAfterSeconds: undefined, body: { error: 'BAD_REQUEST', message } };
  }
  return {
    status: 500,
    retryAfterSeconds: undefined,
    body: { error: 'INTERNAL', message: 'The server failed to answer; the cause is in its log.' },
  };
}

import type { HostAddress } from '../query/store-queries.ts';

/**
 * Marks a request forwarded by another instance. An instance that receives it answers from its own
 * tasks only and never forwards again, so a stale task -> host map cannot bounce a request around.
 */
export const hopHeader = 'x-kstreams-forwarded';

export interface ForwardedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/**
 * Sends the same GET to the owning instance, whose address comes from the assignor's map (never from
 * the request), and returns its answer. A failure to reach it is a 503: the map may be changing.
 */
export async function forwardToOwner(
  address: HostAddress,
  pathAndQuery: string,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<ForwardedAnswer> {
  const headers: Record<string, string> = { [hopHeader]: '1', accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  try {
    const response = await fetch(`http://${address.host}:${address.port}${pathAndQuery}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/json',
      retryAfter: response.headers.get('retry-after') ?? undefined,
      body: await response.text(),
    };
  } catch (error) {
    return {
      status: 503,
      contentType: 'application/json; charset=utf-8',
      retryAfter: '1',
      body: JSON.stringify({
        error: 'OWNER_UNREACHABLE',
        message: `The instance at ${address.host}:${address.port} that owns the key did not answer (${(error as Error).message}).`,
        hint: 'Retry shortly: the instance may be restarting or the group rebalancing.',
      }),
    };
  }
}

/** Fetches one page of another instance's local entries, for range queries gathered across instances. */
export async function fetchPeerJson(
  address: HostAddress,
  pathAndQuery: string,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const answer = await forwardToOwner(address, pathAndQuery, authorization, timeoutMs);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  return { status: answer.status, body };
}

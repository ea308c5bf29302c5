import type { FastifyInstance } from 'fastify';
import type { WaitCondition } from '../query/wait-condition.ts';

/** The server a service adds its own routes to (fastify's instance, named here so no other folder imports fastify). */
export type RouteServer = FastifyInstance;

/** The interactive-query server's settings; every limit has a safe default. */
export interface HttpServerOptions {
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1; 0.0.0.0 to serve other hosts. */
  readonly host?: string;
  /** Whole-request receive limit (ms). Default 30,000. */
  readonly requestTimeoutMs?: number;
  /** Header receive limit (ms), against slow-loris clients. Default 10,000. */
  readonly headersTimeoutMs?: number;
  /** Default 64 KiB: query routes take no body; the estate's POST routes take small JSON documents. */
  readonly bodyLimitBytes?: number;
  /** Long-polls allowed at once; more get 503. Default 10,000. */
  readonly maxLongPolls?: number;
  /** Upper bound of `?wait=` (ms). Default 60,000. */
  readonly maxWaitMs?: number;
  /** Upper bound of `?limit=` for ranges. Default 1,000. */
  readonly maxRangeLimit?: number;
  /** When set, every route except the health probes needs `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
  /** Named `?until=` conditions for long-polls, e.g. `{ confirmed: (order) => ... }`. */
  readonly waitConditions?: Readonly<Record<string, WaitCondition>>;
  /** Time allowed for a request forwarded to the owning instance, beyond its wait (ms). Default 5,000. */
  readonly forwardTimeoutMs?: number;
  /** A service's own routes (e.g. `POST /orders`), registered next to the query routes. */
  readonly routes?: (server: FastifyInstance) => void;
}

export interface ResolvedHttpServerOptions {
  readonly port: number;
  readonly host: string;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly maxLongPolls: number;
  readonly maxWaitMs: number;
  readonly maxRangeLimit: number;
  readonly bearerToken: string | undefined;
  readonly waitConditions: Readonly<Record<string, WaitCondition>>;
  readonly forwardTimeoutMs: number;
}

export function resolveHttpServerOptions(options: HttpServerOptions = {}): ResolvedHttpServerOptions {
  return {
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
    maxLongPolls: options.maxLongPolls ?? 10_000,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    maxRangeLimit: options.maxRangeLimit ?? 1_000,
    bearerToken: options.bearerToken,
    waitConditions: options.waitConditions ?? {},
    forwardTimeoutMs: options.forwardTimeoutMs ?? 5_000,
  };
}

import Fastify, { type FastifyInstance } from 'fastify';
import { KeyWaiters } from '../query/key-waiters.ts';
import type { StoreQueries } from '../query/store-queries.ts';
import { errorAnswer } from './http-errors.ts';
import {
  type HttpServerOptions,
  type ResolvedHttpServerOptions,
  resolveHttpServerOptions,
} from './http-server-options.ts';
import { jsonText } from './json-text.ts';
import { openApiDocument } from './openapi-document.ts';
import { registerStoreRoutes } from './store-routes.ts';

/** The HTTP side of an application: interactive queries, health, metrics, topology and OpenAPI. */
export interface HttpServer {
  readonly fastify: FastifyInstance;
  readonly options: ResolvedHttpServerOptions;
  /** Starts listening; resolves to the bound address (useful with port 0). */
  listen(): Promise<{ host: string; port: number }>;
  /** Releases long-polls and stops listening. */
  close(): Promise<void>;
}

const openRoutes = new Set(['/health/live', '/health/ready']);

export function createHttpServer(queries: StoreQueries, title: string, options: HttpServerOptions = {}): HttpServer {
  const resolved = resolveHttpServerOptions(options);
  const fastify = Fastify({
    logger: false,
    requestTimeout: resolved.requestTimeoutMs,
    bodyLimit: resolved.bodyLimitBytes,
    http: { headersTimeout: resolved.headersTimeoutMs },
    return503OnClosing: true,
  });
  const waiters = new KeyWaiters(queries);

  fastify.setErrorHandler((error, _request, reply) => {
    const answer = errorAnswer(error);
    if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
    return reply.code(answer.status).type('application/json; charset=utf-8').send(jsonText(answer.body));
  });
  fastify.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(
        jsonText({
          error: 'ROUTE_NOT_FOUND',
          message: `No route ${request.method} ${request.url.split('?')[0]}.`,
          hint: 'GET /openapi.json lists the routes.',
        }),
      ),
  );

  if (resolved.bearerToken !== undefined) {
    const expected = `Bearer ${resolved.bearerToken}`;
    fastify.addHook('onRequest', async (request, reply) => {
      if (openRoutes.has(request.url.split('?')[0] ?? '')) return;
      if (request.headers.authorization !== expected) {
        reply.header('www-authenticate', 'Bearer');
        await reply
          .code(401)
          .type('application/json; charset=utf-8')
          .send(
            jsonText({
              error: 'UNAUTHORIZED',
              message: 'A valid bearer token is required.',
              hint: 'Send Authorization: Bearer <token>.',
            }),
          );
      }
    });
  }

  registerStoreRoutes(fastify, queries, waiters, resolved);
  options.routes?.(fastify);

  fastify.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await queries.metrics();
    return reply.type(contentType).send(text);
  });
  fastify.get('/health/live', async (_request, reply) => {
    const live = queries.live();
    return reply.code(live ? 200 : 503).send({ status: live ? 'live' : 'failed' });
  });
  fastify.get('/health/ready', async (_request, reply) => {
    const ready = queries.ready();
    if (!ready) reply.header('retry-after', '1');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready' });
  });
  fastify.get('/topology', async (request, reply) => {
    const format = (request.query as Record<string, string | undefined>).format ?? 'text';
    if (format !== 'text' && format !== 'mermaid') {
      return reply.code(400).send({
        error: 'QUERY_INVALID',
        message: `Unknown format "${format}".`,
        hint: 'Use format=text or format=mermaid.',
      });
    }
    const topology = queries.topology();
    return reply.type('text/plain; charset=utf-8').send(format === 'text' ? topology.text : topology.mermaid);
  });
  const document = openApiDocument(title);
  fastify.get('/openapi.json', async (_request, reply) => reply.send(document));

  return {
    fastify,
    options: resolved,
    async listen() {
      await fastify.listen({ port: resolved.port, host: resolved.host });
      const address = fastify.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
      return { host: resolved.host, port };
    },
    async close() {
      waiters.close();
      await fastify.close();
    },
  };
}

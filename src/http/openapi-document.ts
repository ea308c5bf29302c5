/**
 * The OpenAPI 3.0 description of every route the server has, served at /openapi.json. Written by hand
 * next to the routes; the route tests check that every registered route is described here.
 */
export function openApiDocument(title: string): Record<string, unknown> {
  const error = { $ref: '#/components/schemas/Error' };
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: error } },
  });
  const storeParam = { name: 'store', in: 'path', required: true, schema: { type: 'string', minLength: 1 } };
  const keyParam = {
    name: 'key',
    in: 'path',
    required: true,
    description: "The key in the store's key format: text, a decimal number, or URL-encoded JSON.",
    schema: { type: 'string', minLength: 1 },
  };
  const unavailable = {
    description: 'The store is restoring or its tasks are moving; retry after Retry-After seconds.',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: { 'application/json': { schema: error } },
  };
  const health = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
  });
  const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
  return {
    openapi: '3.0.3',
    info: { title, version: '1', description: 'kstreams interactive queries, health, metrics and topology.' },
    paths: {
      '/stores': {
        get: {
          summary: 'The queryable stores of this application',
          responses: {
            200: {
              description: 'Store names, kinds and key formats',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/StoreList' } } },
            },
          },
        },
      },
      '/stores/{store}': {
        get: {
          summary: 'A bounded, paginated range of a key-value store, gathered across instances',
          parameters: [
            storeParam,
            { name: 'from', in: 'query', schema: { type: 'string' }, description: 'Inclusive lower bound' },
            { name: 'to', in: 'query', schema: { type: 'string' }, description: 'Inclusive upper bound' },
            { name: 'prefix', in: 'query', schema: { type: 'string' }, description: 'Keys starting with it' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]*$' } },
            { name: 'local', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } },
          ],
          responses: {
            200: {
              description: 'One page of entries in serialized-key order',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/RangePage' } } },
            },
            400: errorResponse('A bad parameter'),
            404: errorResponse('No such store'),
            503: unavailable,
          },
        },
      },
      '/stores/{store}/keys/{key}': {
        get: {
          summary: "A key's value, from this instance or the one owning it; optionally long-polled",
          parameters: [
            storeParam,
            keyParam,
            {
              name: 'wait',
              in: 'query',
              description: 'Long-poll: wait up to this many ms for the key to exist (or for until to hold)',
              schema: { type: 'integer', minimum: 0, maximum: 60000 },
            },
            {
              name: 'until',
              in: 'query',
              description: 'With wait: a condition field:value on the value, or a registered condition name',
              schema: { type: 'string' },
            },
          ],
          responses: {
            200: {
              description: 'The value',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/KeyValue' } } },
            },
            400: errorResponse('A bad key or parameter'),
            404: errorResponse('No such store, or no value for the key'),
            503: unavailable,
            504: errorResponse('The long-poll timed out'),
          },
        },
      },
      '/stores/{store}/keys/{key}/windows': {
        get: {
          summary: "A key's windows in a time range, from a window or session store",
          parameters: [
            storeParam,
            keyParam,
            { name: 'from', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Epoch ms' },
            { name: 'to', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Epoch ms' },
          ],
          responses: {
            200: {
              description: "The key's windows",
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Windows' } } },
            },
            400: errorResponse('A bad key or parameter'),
            404: errorResponse('No such store'),
            503: unavailable,
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: text('Prometheus text format') } } },
      '/health/live': {
        get: {
          summary: 'Liveness: the application has not failed',
          responses: { 200: health('Alive'), 503: health('Failed or shut down') },
        },
      },
      '/health/ready': {
        get: {
          summary: 'Readiness: running with every local store restored',
          responses: { 200: health('Ready'), 503: health('Starting, rebalancing or restoring') },
        },
      },
      '/topology': {
        get: {
          summary: 'The topology, as Kafka Streams text or a Mermaid diagram',
          parameters: [{ name: 'format', in: 'query', schema: { type: 'string', enum: ['text', 'mermaid'] } }],
          responses: { 200: text('The description'), 400: errorResponse('An unknown format') },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: {
            200: { description: 'OpenAPI 3.0', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['message'],
          properties: { error: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } },
        },
        Health: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
        KeyValue: { type: 'object', required: ['key'], properties: { key: {}, value: {} } },
        RangePage: {
          type: 'object',
          required: ['entries'],
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object',
                required: ['key', 'position'],
                properties: { key: {}, value: {}, position: { type: 'string' } },
              },
            },
            nextCursor: { type: 'string' },
          },
        },
        Windows: {
          type: 'object',
          required: ['key', 'windows'],
          properties: {
            key: {},
            windows: {
              type: 'array',
              items: {
                type: 'object',
                required: ['startMs', 'endMs'],
                properties: { startMs: { type: 'integer' }, endMs: { type: 'integer' }, value: {} },
              },
            },
          },
        },
        StoreList: {
          type: 'object',
          required: ['stores'],
          properties: {
            stores: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'kind', 'keyFormat'],
                properties: {
                  name: { type: 'string' },
                  kind: { type: 'string', enum: ['key-value', 'window', 'session'] },
                  keyFormat: { type: 'string', enum: ['string', 'number', 'json'] },
                },
              },
            },
          },
        },
      },
    },
  };
}

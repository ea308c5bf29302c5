import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KStreamsError } from '../errors.ts';
import type { KeyWaiters } from '../query/key-waiters.ts';
import type { KeyValueEntry, QueryableStoreInfo, RangeQuery, StoreQueries } from '../query/store-queries.ts';
import { parseWaitCondition } from '../query/wait-condition.ts';
import { fetchPeerJson, forwardToOwner, hopHeader } from './forward-to-owner.ts';
import type { ResolvedHttpServerOptions } from './http-server-options.ts';
import { jsonText } from './json-text.ts';
import { parseIntParam, parseKeyText, parseTimeParam } from './key-text.ts';

type Query = Record<string, string | undefined>;
type KeyRequest = FastifyRequest<{ Params: { store: string; key: string }; Querystring: Query }>;
type StoreRequest = FastifyRequest<{ Params: { store: string }; Querystring: Query }>;

const defaultRangeLimit = 100;

/** The interactive-query routes: one key (optionally long-polled), windows of a key, and ranges. */
export function registerStoreRoutes(
  app: FastifyInstance,
  queries: StoreQueries,
  waiters: KeyWaiters,
  options: ResolvedHttpServerOptions,
): void {
  const storeInfo = (name: string): QueryableStoreInfo => {
    const info = queries.stores().find((store) => store.name === name);
    if (info !== undefined) return info;
    throw new KStreamsError('STORE_NOT_FOUND', `There is no queryable store named "${name}".`, {
      hint: `Query one of: ${queries
        .stores()
        .map((store) => store.name)
        .join(', ')} (GET /stores lists them).`,
    });
  };

  app.get('/stores', async (_request, reply) => {
    sendJson(reply, 200, { stores: queries.stores() });
  });

  app.get('/stores/:store/keys/:key', async (request: KeyRequest, reply) => {
    const info = storeInfo(request.params.store);
    if (info.kind !== 'key-value') throw wrongKind(info, 'a key-value store', '/keys/:key/windows');
    const key = parseKeyText(request.params.key, info.keyFormat, 'key');
    const wait =
      request.query.wait === undefined ? undefined : parseIntParam(request.query.wait, 'wait', 0, options.maxWaitMs);
    const condition = parseWaitCondition(request.query.until, options.waitConditions);
    if (wait === undefined && request.query.until !== undefined) {
      throw new KStreamsError('QUERY_INVALID', 'Parameter until needs wait: it only applies to a long-poll.', {
        hint: 'Add wait=<ms>, e.g. ?wait=5000&until=status:CONFIRMED.',
      });
    }
    const deadline = Date.now() + (wait ?? 0);
    for (;;) {
      const owner = queries.ownerOf(info.name, key);
      if (owner.kind === 'unavailable') return sendUnavailable(reply, owner.reason);
      if (owner.kind === 'remote') {
        if (request.headers[hopHeader] !== undefined) {
          return sendUnavailable(reply, 'The key is not owned by this instance (task -> host map changing).');
        }
        const answer = await forwardToOwner(
          owner.address,
          withWait(request.url, wait === undefined ? undefined : Math.max(0, deadline - Date.now())),
          request.headers.authorization,
          Math.max(0, deadline - Date.now()) + options.forwardTimeoutMs,
        );
        if (answer.retryAfter !== undefined) reply.header('retry-after', answer.retryAfter);
        return reply.code(answer.status).type(answer.contentType).send(answer.body);
      }
      if (wait === undefined) {
        const found = queries.get(info.name, key);
        if (!found.found) return sendJson(reply, 404, notFound(info.name, request.params.key));
        return sendJson(reply, 200, { key, value: found.value });
      }
      if (waiters.size >= options.maxLongPolls) {
        return sendUnavailable(reply, `${options.maxLongPolls} long-polls are already waiting on this instance.`);
      }
      const aborted = new AbortController();
      reply.raw.once('close', () => aborted.abort());
      const outcome = await waiters.wait(info.name, key, condition, Math.max(0, deadline - Date.now()), aborted.signal);
      if (outcome.kind === 'satisfied') return sendJson(reply, 200, { key, value: outcome.value });
      if (outcome.kind === 'timeout') {
        return sendJson(reply, 504, {
          error: 'WAIT_TIMEOUT',
          message: `Key "${request.params.key}" of store "${info.name}" did not ${request.query.until === undefined ? 'appear' : `reach until=${request.query.until}`} within ${wait} ms.`,
          hint: 'Poll again, or wait longer (wait=<ms>).',
        });
      }
      if (aborted.signal.aborted) return reply;
      // The key's task moved away: go around and follow it to its new owner with the time left.
      if (request.headers[hopHeader] !== undefined || Date.now() >= deadline) {
        return sendUnavailable(reply, outcome.reason);
      }
    }
  });

  app.get('/stores/:store/keys/:key/windows', async (request: KeyRequest, reply) => {
    const info = storeInfo(request.params.store);
    if (info.kind === 'key-value') throw wrongKind(info, 'a window or session store', '/keys/:key');
    const key = parseKeyText(request.params.key, info.keyFormat, 'key');
    const from = parseTimeParam(request.query.from, 'from', 0);
    const to = parseTimeParam(request.query.to, 'to', Number.MAX_SAFE_INTEGER);
    if (from > to) {
      throw new KStreamsError('QUERY_INVALID', `Parameter from=${from} is after to=${to}.`, {
        hint: 'Give from <= to (epoch ms).',
      });
    }
    const owner = queries.ownerOf(info.name, key);
    if (owner.kind === 'unavailable') return sendUnavailable(reply, owner.reason);
    if (owner.kind === 'remote') {
      if (request.headers[hopHeader] !== undefined) return sendUnavailable(reply, 'The key is not owned here.');
      const answer = await forwardToOwner(
        owner.address,
        request.url,
        request.headers.authorization,
        options.forwardTimeoutMs,
      );
      if (answer.retryAfter !== undefined) reply.header('retry-after', answer.retryAfter);
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    }
    return sendJson(reply, 200, { key, windows: queries.windows(info.name, key, from, to) });
  });

  app.get('/stores/:store', async (request: StoreRequest, reply) => {
    const info = storeInfo(request.params.store);
    if (info.kind !== 'key-value') throw wrongKind(info, 'a key-value store', '/keys/:key/windows');
    const q = request.query;
    if (q.prefix !== undefined && (q.from !== undefined || q.to !== undefined)) {
      throw new KStreamsError('QUERY_INVALID', 'Parameter prefix cannot be combined with from or to.', {
        hint: 'Use either prefix=<p> or from=<a>&to=<b>.',
      });
    }
    const limit = parseIntParam(q.limit, 'limit', defaultRangeLimit, options.maxRangeLimit);
    const range: RangeQuery = {
      ...(q.from === undefined ? {} : { from: parseKeyText(q.from, info.keyFormat, 'from bound') }),
      ...(q.to === undefined ? {} : { to: parseKeyText(q.to, info.keyFormat, 'to bound') }),
      ...(q.prefix === undefined ? {} : { prefix: parseKeyText(q.prefix, info.keyFormat, 'prefix') }),
      ...(q.cursor === undefined ? {} : { after: parseCursor(q.cursor) }),
      limit,
    };
    const localOnly = request.headers[hopHeader] !== undefined || q.local === 'true';
    const pages: Array<{ entries: readonly KeyValueEntry[]; full: boolean }> = [];
    const local = queries.range(info.name, range);
    pages.push({ entries: local, full: local.length >= limit });
    if (!localOnly) {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(q))
        if (value !== undefined && name !== 'local') search.set(name, value);
      search.set('local', 'true');
      const path = `/stores/${encodeURIComponent(info.name)}?${search.toString()}`;
      const answers = await Promise.all(
        queries
          .peers(info.name)
          .map((peer) => fetchPeerJson(peer, path, request.headers.authorization, options.forwardTimeoutMs)),
      );
      for (const answer of answers) {
        const entries = (answer.body as { entries?: KeyValueEntry[] } | undefined)?.entries;
        if (answer.status !== 200 || !Array.isArray(entries)) {
          return sendUnavailable(reply, 'Another instance holding part of the store did not answer.');
        }
        pages.push({ entries, full: entries.length >= limit });
      }
    }
    const merged = pages
      .flatMap((page) => page.entries)
      .sort((a, b) => Buffer.compare(positionBytes(a.position), positionBytes(b.position)));
    const entries = merged.slice(0, limit);
    const more = merged.length > limit || pages.some((page) => page.full);
    const last = entries.at(-1);
    return sendJson(reply, 200, {
      entries,
      ...(more && last !== undefined ? { nextCursor: last.position } : {}),
    });
  });
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(jsonText(body));
}

function sendUnavailable(reply: FastifyReply, reason: string): FastifyReply {
  reply.header('retry-after', '1');
  return sendJson(reply, 503, { error: 'NOT_QUERYABLE', message: reason, hint: 'Retry after the Retry-After delay.' });
}

function notFound(store: string, keyText: string) {
  return { error: 'KEY_NOT_FOUND', message: `Store "${store}" has no value for key "${keyText}".` };
}

function wrongKind(info: QueryableStoreInfo, expected: string, route: string): KStreamsError {
  return new KStreamsError('QUERY_INVALID', `Store "${info.name}" is a ${info.kind} store, not ${expected}.`, {
    hint: `Query it with GET /stores/${info.name}${route}.`,
  });
}

/** The same path with the remaining wait, so the owner does not wait longer than this request may. */
function withWait(url: string, remainingMs: number | undefined): string {
  if (remainingMs === undefined) return url;
  const [path, search = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(search);
  params.set('wait', String(remainingMs));
  return `${path}?${params.toString()}`;
}

const cursorPattern = /^[A-Za-z0-9_-]*$/;

function parseCursor(text: string): string {
  if (!cursorPattern.test(text)) {
    throw new KStreamsError('QUERY_INVALID', 'Parameter cursor is not a cursor this server returned.', {
      hint: 'Pass the nextCursor of the previous page unchanged, or leave cursor out to start over.',
    });
  }
  return text;
}

function positionBytes(position: string): Buffer {
  return Buffer.from(position, 'base64url');
}

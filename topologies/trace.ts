import { defineService } from '../src/cli/service.ts';
import type { KeyValueStore, KStream, ProcessorContext, ProcessorSupplier, RouteServer, Serde } from '../src/index.ts';
import { isKStreamsError, Serdes, Stores, StreamsBuilder } from '../src/index.ts';
import type { Notification, Order, OrderValidation, Payment, PaymentResult, Shipment } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { type EstateTopic, estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The journal store: order id -> every event about the order, in time order. */
export const traceStore = 'trace';

/** One event about an order, where it sits in the log, and what it says in a few words. */
export interface TraceEntry {
  readonly topic: string;
  readonly timestamp: number;
  readonly partition: number;
  readonly offset: number;
  readonly summary: string;
}

const withReason = (text: string, reason: string | null) => (reason === null ? text : `${text} (${reason})`);

/**
 * Where an event sits in an order's story, for events with the same timestamp: services stamp what they
 * write with the timestamp of the record that caused it, so a cause and its effects often tie, and only
 * the story's own order (request, checks, validated, payment, result, decision, shipment, notice) can
 * break the tie the right way round.
 */
function storyRank(entry: TraceEntry): number {
  const state = entry.summary.split(' ', 1)[0];
  if (entry.topic === topics.orders) {
    if (state === 'REQUESTED') return 0;
    if (state === 'VALIDATED') return 2;
    if (state === 'SHIPPED') return 7;
    return 5; // CONFIRMED or REJECTED
  }
  if (entry.topic === topics.orderValidations) return 1;
  if (entry.topic === topics.payments) return 3;
  if (entry.topic === topics.paymentResults) return 4;
  if (entry.topic === topics.shipments) return 6;
  return 8; // notifications
}

/**
 * Adds `entry` to a journal unless the same log position is already there (a record re-delivered after a
 * crash), keeping the journal ordered by timestamp, then by place in the story, then by log position.
 */
export function appendTraceEntry(journal: readonly TraceEntry[], entry: TraceEntry): readonly TraceEntry[] {
  const known = journal.some(
    (e) => e.topic === entry.topic && e.partition === entry.partition && e.offset === entry.offset,
  );
  if (known) return journal;
  return [...journal, entry].sort(
    (a, b) =>
      a.timestamp - b.timestamp || storyRank(a) - storyRank(b) || a.topic.localeCompare(b.topic) || a.offset - b.offset,
  );
}

const journalEvents: ProcessorSupplier<string, string, never, never> = () => {
  let context: ProcessorContext<never, never>;
  let journals: KeyValueStore<string, readonly TraceEntry[]>;
  return {
    init(processorContext) {
      context = processorContext;
      journals = processorContext.getStateStore<KeyValueStore<string, readonly TraceEntry[]>>(traceStore);
    },
    process(record) {
      const origin = context.recordOrigin();
      if (origin === undefined) return;
      const entry: TraceEntry = {
        topic: origin.topic,
        timestamp: record.timestamp,
        partition: origin.partition,
        offset: origin.offset,
        summary: record.value,
      };
      const journal = journals.get(record.key) ?? [];
      const next = appendTraceEntry(journal, entry);
      if (next !== journal) journals.put(record.key, next);
    },
  };
};

export function traceTopology() {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore(traceStore),
      estateSerdes.key,
      Serdes.json<readonly TraceEntry[]>(),
    ),
  );
  // Every topic keyed by order id, each summarized in a few words.
  const summaries = [
    summarize(builder, topics.orders, estateSerdes.order, (o: Order) => withReason(o.state, o.reason)),
    summarize(builder, topics.orderValidations, estateSerdes.orderValidation, (v: OrderValidation) =>
      withReason(`${v.checkType} ${v.result}`, v.reason),
    ),
    summarize(
      builder,
      topics.payments,
      estateSerdes.payment,
      (p: Payment) => `payment ${p.id} of ${p.amount} ${p.ccy}`,
    ),
    summarize(builder, topics.paymentResults, estateSerdes.paymentResult, (r: PaymentResult) =>
      withReason(`payment ${r.status}`, r.reason),
    ),
    summarize(builder, topics.shipments, estateSerdes.shipment, (_s: Shipment) => 'SHIPPED'),
    summarize(builder, topics.notifications, estateSerdes.notification, (n: Notification) =>
      withReason(`notified ${n.email ?? n.customerId}`, n.message),
    ),
  ];
  const [first, ...rest] = summaries;
  rest
    .reduce((all, next, i) => all.merge(next, { name: `merge-${i + 1}` }), first!)
    .process(journalEvents, { name: 'journal-events' }, traceStore);
  return builder.build({ requireNames: true });
}

function summarize<V>(
  builder: StreamsBuilder,
  topic: EstateTopic,
  serde: Serde<V>,
  summary: (value: V) => string,
): KStream<string, string> {
  return builder
    .stream<string, V>(topic, { name: `${topic}-source`, keySerde: estateSerdes.key, valueSerde: serde })
    .filter((orderId, value) => orderId !== null && value !== null, { name: `${topic}-with-key` })
    .mapValues((value) => summary(value), { name: `${topic}-summary` });
}

/**
 * `GET /orders/:id/trace`: the order's journal, read from the local store when this instance owns the
 * order, otherwise through the interactive-query route, which forwards to the owner.
 */
export function registerTraceRoute(
  server: RouteServer,
  readLocal: (orderId: string) => readonly TraceEntry[] | undefined,
): void {
  server.get('/orders/:id/trace', async (request, reply) => {
    const { id } = request.params as { id: string };
    let local: readonly TraceEntry[] | undefined;
    try {
      local = readLocal(id);
    } catch (error) {
      if (!isKStreamsError(error, 'STORE_NOT_QUERYABLE')) throw error;
    }
    if (local !== undefined) return reply.send({ orderId: id, events: local });
    const answer = await server.inject({
      method: 'GET',
      url: `/stores/${traceStore}/keys/${encodeURIComponent(id)}`,
      headers: request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization },
    });
    if (answer.statusCode === 200) {
      const { value } = answer.json() as { value: readonly TraceEntry[] };
      return reply.send({ orderId: id, events: value });
    }
    if (answer.statusCode === 404) {
      return reply.code(404).send({
        error: 'ORDER_NOT_FOUND',
        message: `No event about order "${id}" has been seen.`,
        hint: 'Check the order id, or retry: the order may not have been processed yet.',
      });
    }
    const retryAfter = answer.headers['retry-after'];
    if (typeof retryAfter === 'string') reply.header('retry-after', retryAfter);
    return reply
      .code(answer.statusCode)
      .type(String(answer.headers['content-type'] ?? 'application/json'))
      .send(answer.body);
  });
}

export default defineService({
  applicationId: estateApplicationId('trace'),
  description: 'Keeps the time-ordered journal of every event about an order; GET /orders/:id/trace.',
  topology: traceTopology,
  topics: estateTopics(
    topics.orders,
    topics.orderValidations,
    topics.payments,
    topics.paymentResults,
    topics.shipments,
    topics.notifications,
  ),
  http: {
    routes(server, { app }) {
      registerTraceRoute(server, (orderId) => app.store<string, readonly TraceEntry[]>(traceStore).get(orderId));
    },
  },
});

// The orders service: the single writer of `orders`. It takes orders over HTTP, keeps the orders view
// (store `orders`) and owns every state transition, decided by one processor from the checks, the
// payment result and the shipment of each order.
import { randomUUID } from 'node:crypto';
import { defineService } from '../src/cli/service.ts';
import type { RouteServer } from '../src/http/index.ts';
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord, WaitCondition } from '../src/index.ts';
import { Serdes, Stores, StreamsBuilder } from '../src/index.ts';
import type { Producer } from '../src/kafka/types.ts';
import type { CheckType, Order, OrderState, OrderValidation, PaymentResult, Shipment } from './estate/events.ts';
import { checkTypes, terminalStates } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The queryable view of every order, as last written to `orders`. */
export const ordersStore = 'orders';
/** What the state machine knows per order: the order, each check's verdict, the payment, the shipment. */
export const orderProgressStore = 'order-progress';

/** Everything the state machine reacts to, tagged by where it came from (merged into one stream). */
export type OrderEvent =
  | { readonly kind: 'order'; readonly order: Order }
  | { readonly kind: 'validation'; readonly validation: OrderValidation }
  | { readonly kind: 'payment'; readonly payment: PaymentResult }
  | { readonly kind: 'shipment'; readonly shipment: Shipment };

export interface Verdict {
  readonly result: 'PASS' | 'FAIL';
  readonly reason: string | null;
}

export interface PaymentVerdict {
  readonly status: PaymentResult['status'];
  readonly reason: string | null;
}

/** One order's progress; the first verdict per check and the first payment result count, later ones do not. */
export interface OrderProgress {
  /** The order as this service last wrote (or first read) it: its state is the current state. */
  readonly order: Order | null;
  readonly checks: Partial<Record<CheckType, Verdict>>;
  readonly payment: PaymentVerdict | null;
  readonly shipped: boolean;
}

const emptyProgress: OrderProgress = { order: null, checks: {}, payment: null, shipped: false };

/**
 * The next state of an order given what is known about it, or undefined when nothing changes:
 * REQUESTED -> VALIDATED (all checks PASS) or REJECTED (any FAIL); VALIDATED -> CONFIRMED (paid) or
 * REJECTED (payment failed); CONFIRMED -> SHIPPED. REJECTED and SHIPPED never change.
 */
export function nextOrder(progress: OrderProgress): Order | undefined {
  const order = progress.order;
  if (order === null) return undefined;
  switch (order.state) {
    case 'REQUESTED': {
      for (const check of checkTypes) {
        const verdict = progress.checks[check];
        if (verdict?.result === 'FAIL')
          return withState(order, 'REJECTED', withCause(`${check} check failed`, verdict));
      }
      return checkTypes.every((check) => progress.checks[check]?.result === 'PASS')
        ? withState(order, 'VALIDATED', null)
        : undefined;
    }
    case 'VALIDATED': {
      if (progress.payment === null) return undefined;
      return progress.payment.status === 'PROCESSED'
        ? withState(order, 'CONFIRMED', null)
        : withState(order, 'REJECTED', withCause('payment failed', progress.payment));
    }
    case 'CONFIRMED':
      return progress.shipped ? withState(order, 'SHIPPED', null) : undefined;
    default:
      return undefined;
  }
}

function withState(order: Order, state: OrderState, reason: string | null): Order {
  return { ...order, state, reason };
}

function withCause(what: string, verdict: { readonly reason: string | null }): string {
  return verdict.reason === null || verdict.reason === '' ? what : `${what}: ${verdict.reason}`;
}

/** Folds one event into an order's progress (idempotently: a repeated event changes nothing). */
export function recordEvent(progress: OrderProgress, event: OrderEvent): OrderProgress {
  switch (event.kind) {
    case 'order':
      // Only REQUESTED comes from outside; later states read back are our own writes, already known.
      return progress.order === null ? { ...progress, order: event.order } : progress;
    case 'validation': {
      const { checkType, result, reason } = event.validation;
      if (progress.checks[checkType] !== undefined) return progress;
      return { ...progress, checks: { ...progress.checks, [checkType]: { result, reason } } };
    }
    case 'payment': {
      if (progress.payment !== null) return progress;
      const { status, reason } = event.payment;
      return { ...progress, payment: { status, reason } };
    }
    case 'shipment':
      return progress.shipped ? progress : { ...progress, shipped: true };
  }
}

/**
 * The state machine (Processor API over `order-progress`). It decides from its own record of the order
 * rather than the `orders` view, because the view only catches up once our last write comes back from
 * the topic: deciding from it could write a transition twice.
 */
export class OrderStateMachine implements Processor<string, OrderEvent, string, Order> {
  #context: ProcessorContext<string, Order> | undefined;
  #progress: KeyValueStore<string, OrderProgress> | undefined;

  init(context: ProcessorContext<string, Order>): void {
    this.#context = context;
    this.#progress = context.getStateStore<KeyValueStore<string, OrderProgress>>(orderProgressStore);
  }

  process(record: StreamRecord<string, OrderEvent>): void {
    const context = this.#context;
    const store = this.#progress;
    if (context === undefined || store === undefined || record.key === null) return;
    const before = store.get(record.key) ?? emptyProgress;
    let progress = recordEvent(before, record.value);
    const written: Order[] = [];
    for (let next = nextOrder(progress); next !== undefined; next = nextOrder(progress)) {
      written.push(next);
      progress = { ...progress, order: next };
    }
    const known = progress.order;
    const event = record.value;
    // A second REQUESTED under a known id overwrote the view: put our order back (single writer). Other
    // states read back are our own earlier writes, possibly overtaken already, and need nothing.
    const foreign = event.kind === 'order' && event.order.state === 'REQUESTED' ? event.order : undefined;
    if (written.length === 0 && foreign !== undefined && known !== null && !sameOrder(foreign, known)) {
      written.push(known);
    }
    if (progress !== before) store.put(record.key, progress);
    for (const order of written) {
      context.forward({ key: record.key, value: order, timestamp: record.timestamp, headers: [] });
    }
  }
}

function sameOrder(a: Order, b: Order): boolean {
  return (
    a.id === b.id &&
    a.customerId === b.customerId &&
    a.product === b.product &&
    a.quantity === b.quantity &&
    a.price === b.price &&
    a.state === b.state &&
    a.reason === b.reason &&
    a.requestedAt === b.requestedAt &&
    a.channel === b.channel
  );
}

/** The orders view, and the state machine fed by the order, check, payment and shipment events. */
export function ordersTopology() {
  const builder = new StreamsBuilder();
  const key = estateSerdes.key;
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(orderProgressStore), key, Serdes.json<OrderProgress>()),
  );
  const orders = builder
    .table<string, Order>(
      topics.orders,
      { keySerde: key, valueSerde: estateSerdes.order, name: 'orders-source' },
      // Uncached, so the state machine and long-polls see each write as it is read back.
      { storeName: ordersStore, caching: false },
    )
    .toStream({ name: 'orders-updates' })
    .filter((_id, order) => order !== null, { name: 'orders-not-deleted' })
    .mapValues((order): OrderEvent => ({ kind: 'order', order }), { name: 'orders-as-events' });
  const validations = builder
    .stream<string, OrderValidation>(topics.orderValidations, {
      keySerde: key,
      valueSerde: estateSerdes.orderValidation,
      name: 'validations-source',
    })
    .mapValues((validation): OrderEvent => ({ kind: 'validation', validation }), { name: 'validations-as-events' });
  const payments = builder
    .stream<string, PaymentResult>(topics.paymentResults, {
      keySerde: key,
      valueSerde: estateSerdes.paymentResult,
      name: 'payment-results-source',
    })
    .mapValues((payment): OrderEvent => ({ kind: 'payment', payment }), { name: 'payment-results-as-events' });
  const shipments = builder
    .stream<string, Shipment>(topics.shipments, {
      keySerde: key,
      valueSerde: estateSerdes.shipment,
      name: 'shipments-source',
    })
    .mapValues((shipment): OrderEvent => ({ kind: 'shipment', shipment }), { name: 'shipments-as-events' });
  orders
    .merge(validations, { name: 'merge-validations' })
    .merge(payments, { name: 'merge-payment-results' })
    .merge(shipments, { name: 'merge-shipments' })
    .process<string, Order>(() => new OrderStateMachine(), { name: 'order-state-machine' }, orderProgressStore)
    .to(topics.orders, { keySerde: key, valueSerde: estateSerdes.order, name: 'orders-sink' });
  return builder.build({ requireNames: true });
}

/** `?until=confirmed`: the order reached a state it will not leave for another decision. */
export const ordersWaitConditions: Readonly<Record<string, WaitCondition>> = {
  confirmed: (value) => {
    const state = (value as { state?: unknown } | null)?.state;
    return typeof state === 'string' && (terminalStates as readonly string[]).includes(state);
  },
};

const orderFields = ['id', 'customerId', 'product', 'quantity', 'price'] as const;
const maxQuantity = 2 ** 31 - 1; // the Avro schema's int

interface OrderCommand {
  readonly id?: string;
  readonly customerId: string;
  readonly product: string;
  readonly quantity: number;
  readonly price: number;
}

/** Checks a `POST /orders` body; the message names the first bad field. */
export function parseOrderCommand(body: unknown): { ok: true; command: OrderCommand } | { ok: false; message: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: 'The body must be a JSON object.' };
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !(orderFields as readonly string[]).includes(name));
  if (unknown !== undefined) return { ok: false, message: `Unknown field "${unknown}".` };
  for (const name of ['customerId', 'product'] as const) {
    const value = fields[name];
    if (typeof value !== 'string' || value.trim() === '') {
      return { ok: false, message: `Field "${name}" must be a non-empty string.` };
    }
  }
  if (fields.id !== undefined && (typeof fields.id !== 'string' || fields.id.trim() === '')) {
    return { ok: false, message: 'Field "id" must be a non-empty string when given.' };
  }
  const { quantity, price } = fields;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0 || quantity > maxQuantity) {
    return { ok: false, message: `Field "quantity" must be a positive integer (at most ${maxQuantity}).` };
  }
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
    return { ok: false, message: 'Field "price" must be a positive finite number.' };
  }
  return {
    ok: true,
    command: {
      ...(typeof fields.id === 'string' ? { id: fields.id } : {}),
      customerId: fields.customerId as string,
      product: fields.product as string,
      quantity,
      price,
    },
  };
}

function orderKeyPath(id: string): string {
  return `/stores/${ordersStore}/keys/${encodeURIComponent(id)}`;
}

/**
 * `POST /orders` raises an order (REQUESTED) and `GET /orders/:id` reads it. Both go through the
 * query route `GET /stores/orders/keys/:id`, which answers from the owning instance (forwarding when
 * needed) and long-polls with `wait` and `until`.
 */
export function registerOrderRoutes(server: RouteServer, producer: Producer): void {
  server.post('/orders', async (request, reply) => {
    const parsed = parseOrderCommand(request.body);
    if (!parsed.ok) {
      return reply.code(400).send({
        error: 'ORDER_INVALID',
        message: parsed.message,
        hint: 'Send { "id"?, "customerId", "product", "quantity", "price" } with quantity and price above 0.',
      });
    }
    const id = parsed.command.id ?? randomUUID();
    const existing = await server.inject({
      method: 'GET',
      url: orderKeyPath(id),
      headers: request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization },
    });
    if (existing.statusCode === 200) {
      return reply.code(409).send({
        error: 'ORDER_EXISTS',
        message: `Order "${id}" already exists.`,
        hint: `Read it with GET /orders/${encodeURIComponent(id)}, or send another id (or none).`,
      });
    }
    if (existing.statusCode !== 404) return relay(reply, existing);
    const order: Order = {
      ...parsed.command,
      id,
      state: 'REQUESTED',
      reason: null,
      requestedAt: Date.now(),
      channel: 'web',
    };
    await producer.send([
      {
        topic: topics.orders,
        key: estateSerdes.key.serialize(topics.orders, id),
        value: estateSerdes.order.serialize(topics.orders, order),
        timestamp: order.requestedAt,
      },
    ]);
    return reply
      .code(201)
      .header('location', `/orders/${encodeURIComponent(id)}`)
      .send(order);
  });

  server.get('/orders/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (typeof value === 'string') query.set(name, value);
    }
    const search = query.toString();
    const answer = await server.inject({
      method: 'GET',
      url: `${orderKeyPath(id)}${search === '' ? '' : `?${search}`}`,
      headers: request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization },
    });
    if (answer.statusCode !== 200) return relay(reply, answer);
    return reply.code(200).send((answer.json() as { value: unknown }).value);
  });
}

interface InjectedAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** The part of a route's reply that relaying uses (so this module needs no fastify import). */
interface Reply {
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  type(contentType: string): Reply;
  send(body: unknown): Reply;
}

function relay(reply: Reply, answer: InjectedAnswer): Reply {
  const retryAfter = answer.headers['retry-after'];
  if (typeof retryAfter === 'string') reply.header('retry-after', retryAfter);
  return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(answer.body);
}

export default defineService({
  applicationId: estateApplicationId('orders'),
  description: 'Takes orders (POST /orders), keeps the orders view and owns every order state transition.',
  topology: ordersTopology,
  topics: estateTopics(topics.orders, topics.orderValidations, topics.paymentResults, topics.shipments),
  http: {
    waitConditions: ordersWaitConditions,
    routes(server, { producer }) {
      registerOrderRoutes(server, producer);
    },
  },
});

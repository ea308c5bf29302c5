// The offered load of the estate benchmark: orders POSTed at a fixed rate, each one's payment produced
// after its 201, and each one followed by a long-poll until it is CONFIRMED (or rejected, or the wait ends).
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '../src/kafka/index.ts';
import type { Order, Payment } from '../topologies/estate/events.ts';
import { estateSerdes } from '../topologies/estate/serdes.ts';
import { knownProducts } from '../topologies/order-details.ts';
import { customerId } from './estate-topics-support.ts';

export interface OrderLoadOptions {
  /** The orders service, e.g. http://127.0.0.1:4000. */
  readonly ordersBase: string;
  readonly paymentsTopic: string;
  readonly producer: Producer;
  /** Orders offered per second. */
  readonly rate: number;
  readonly seconds: number;
  /** The long-poll's `wait`: an order not confirmed by then counts as not confirmed. */
  readonly confirmWaitMs: number;
  /** POSTs in flight at most; an order due while all are busy waits (and the offered rate drops). */
  readonly postConcurrency: number;
  readonly customers: number;
  /** Makes order ids unique across runs. */
  readonly idPrefix: string;
}

export type OrderOutcome =
  | { readonly kind: 'confirmed'; readonly latencyMs: number; readonly confirmedAtMs: number }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'failed'; readonly reason: string };

export interface OrderLoadResult {
  readonly offered: number;
  /** From the first POST to the last one issued. */
  readonly offerSeconds: number;
  readonly outcomes: readonly OrderOutcome[];
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

function httpCall(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  timeoutMs: number,
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    call.on('timeout', () => call.destroy(new Error(`no answer to ${method} ${url} within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end(body);
  });
}

/** Order `index`: a known product, quantity 1, a modest price, spread over the customers (below the fraud limit). */
function orderCommand(options: OrderLoadOptions, index: number) {
  return {
    id: `${options.idPrefix}${index}`,
    customerId: customerId(index % options.customers),
    product: knownProducts[index % knownProducts.length] as string,
    quantity: 1,
    price: 10 + (index % 40) + 0.25,
  };
}

/** A counting semaphore for the POSTs in flight. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free++;
    else next();
  }
}

/** Offers `rate * seconds` orders on schedule and resolves with every order's outcome. */
export async function offerOrders(options: OrderLoadOptions): Promise<OrderLoadResult> {
  const postAgent = new Agent({ keepAlive: true, maxSockets: options.postConcurrency });
  // Every pending order holds one long-poll: the pool must fit all of them, or waiting would queue.
  const pollAgent = new Agent({ keepAlive: true, maxSockets: Math.max(256, options.rate * 60) });
  const slots = new Slots(options.postConcurrency);
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  const pending: Promise<OrderOutcome>[] = [];
  const start = performance.now();

  const followOrder = async (index: number): Promise<OrderOutcome> => {
    const postedAt = performance.now();
    const command = orderCommand(options, index);
    let created: HttpAnswer;
    try {
      created = await httpCall(postAgent, `${options.ordersBase}/orders`, 'POST', 30_000, JSON.stringify(command));
    } finally {
      slots.give();
    }
    if (created.status !== 201)
      return { kind: 'failed', reason: `POST /orders answered ${created.status}: ${created.body}` };
    const order = JSON.parse(created.body) as Order;
    const polling = httpCall(
      pollAgent,
      `${options.ordersBase}/orders/${encodeURIComponent(order.id)}?wait=${options.confirmWaitMs}&until=confirmed`,
      'GET',
      options.confirmWaitMs + 15_000,
    );
    const payment: Payment = {
      id: `payment-${order.id}`,
      orderId: order.id,
      amount: order.quantity * order.price,
      ccy: 'EUR',
    };
    const paid = options.producer.send([
      {
        topic: options.paymentsTopic,
        key: estateSerdes.key.serialize(options.paymentsTopic, order.id),
        value: estateSerdes.payment.serialize(options.paymentsTopic, payment),
      },
    ]);
    const [answer, paidResult] = await Promise.allSettled([polling, paid]);
    if (paidResult.status === 'rejected')
      return { kind: 'failed', reason: `payment not written: ${paidResult.reason}` };
    if (answer.status === 'rejected') return { kind: 'failed', reason: `long-poll failed: ${answer.reason}` };
    const answeredAt = performance.now();
    if (answer.value.status === 504) return { kind: 'timed-out' };
    if (answer.value.status !== 200) {
      return { kind: 'failed', reason: `GET /orders/:id answered ${answer.value.status}: ${answer.value.body}` };
    }
    const seen = JSON.parse(answer.value.body) as Order;
    if (seen.state !== 'CONFIRMED') return { kind: 'rejected', reason: `${seen.state}: ${seen.reason ?? 'no reason'}` };
    return { kind: 'confirmed', latencyMs: answeredAt - postedAt, confirmedAtMs: answeredAt - start };
  };

  let issued = 0;
  while (issued < total) {
    const dueMs = issued * intervalMs;
    const nowMs = performance.now() - start;
    if (nowMs < dueMs) await sleep(dueMs - nowMs);
    await slots.take();
    const index = issued++;
    pending.push(followOrder(index).catch((error: unknown) => ({ kind: 'failed', reason: String(error) }) as const));
  }
  const offerSeconds = (performance.now() - start) / 1000;
  const outcomes = await Promise.all(pending);
  postAgent.destroy();
  pollAgent.destroy();
  return { offered: total, offerSeconds, outcomes };
}

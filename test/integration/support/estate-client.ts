import type { Order } from '../../../topologies/estate/events.ts';

/** What a test posts: the `POST /orders` body (the id is always given, so tests know it up front). */
export interface OrderRequest {
  readonly id: string;
  readonly customerId: string;
  readonly product: string;
  readonly quantity: number;
  readonly price: number;
}

const terminal = new Set(['CONFIRMED', 'REJECTED', 'SHIPPED']);

/** Talks to the orders service the way the article's UI does. */
export class EstateClient {
  readonly #base: string;

  constructor(ordersBase: string) {
    this.#base = ordersBase;
  }

  /** POST /orders; throws unless it answers 201 (an order raised). */
  async post(order: OrderRequest): Promise<Order> {
    const response = await fetch(`${this.#base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`POST /orders ${order.id} answered ${response.status}: ${body}`);
    return JSON.parse(body) as Order;
  }

  /**
   * GET /orders/:id?wait=&until=confirmed until the order is terminal or the deadline passes (long-polls
   * that time out, or an order not yet seen, are retried). Undefined when it never became terminal.
   */
  async terminal(id: string, timeoutMs = 60_000): Promise<Order | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const wait = Math.max(0, Math.min(20_000, deadline - Date.now()));
      const response = await fetch(`${this.#base}/orders/${encodeURIComponent(id)}?wait=${wait}&until=confirmed`).catch(
        () => undefined,
      );
      if (response?.status === 200) {
        const order = (await response.json()) as Order;
        if (terminal.has(order.state)) return order;
      } else {
        await response?.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return undefined;
  }

  /** GET <base>/orders/:id/trace (on the trace service). */
  static async trace(traceBase: string, id: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${traceBase}/orders/${encodeURIComponent(id)}/trace`);
    return { status: response.status, body: await response.json() };
  }
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Order } from '../../topologies/estate/events.ts';
import { terminalStates } from '../../topologies/estate/events.ts';
import type { DemoStats, TrackedOutcome } from './demo-stats.ts';
import type { EstateWriter } from './estate-writer.ts';
import type { OrderMix, PlannedOrder } from './order-mix.ts';

export interface LoadGeneratorOptions {
  /** e.g. http://127.0.0.1:8080 */
  readonly ordersUrl: string;
  readonly rate: number;
  readonly mix: OrderMix;
  readonly writer: EstateWriter;
  readonly stats: DemoStats;
  /** Reports a problem the summary should show (a failed payment write, ...). */
  readonly onProblem: (message: string) => void;
}

/** How long one long-poll waits for a terminal state; the demo polls again after a 504. */
const pollWaitMs = 30_000;
/** An order still not terminal after this long is counted UNKNOWN (it shows on the summary). */
const giveUpMs = 5 * 60_000;

/**
 * Posts orders at a steady rate (POST /orders), pays each one on the payments topic, and follows each
 * order to its final state with a long-poll (GET /orders/:id?wait&until=confirmed).
 */
export class LoadGenerator {
  readonly #options: LoadGeneratorOptions;
  readonly #stopPosting = new AbortController();
  readonly #stopTracking = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;

  constructor(options: LoadGeneratorOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop = this.#postLoop();
  }

  /** Stops posting, gives the orders in flight up to `drainMs` to end, then stops following them. */
  async stop(drainMs: number): Promise<void> {
    this.#stopPosting.abort();
    await this.#loop;
    const drained = Promise.all([...this.#inFlight]);
    await Promise.race([drained, sleep(drainMs)]);
    this.#stopTracking.abort();
    await drained;
  }

  async #postLoop(): Promise<void> {
    const started = Date.now();
    let sent = 0;
    const signal = this.#stopPosting.signal;
    while (!signal.aborted) {
      // Catch up to the rate by elapsed time, so a slow tick does not lower the offered load.
      const due = Math.floor(((Date.now() - started) / 1000) * this.#options.rate) + 1;
      while (sent < due && !signal.aborted) {
        sent++;
        this.#track(this.#postAndFollow(this.#options.mix.next()));
      }
      const nextAt = started + (sent / this.#options.rate) * 1000;
      await sleep(Math.max(1, Math.min(nextAt - Date.now(), 1000)), undefined, { signal }).catch(() => {});
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #postAndFollow(planned: PlannedOrder): Promise<void> {
    const { ordersUrl, stats, writer, mix } = this.#options;
    const id = randomUUID();
    const customers = mix.takeNewCustomers();
    if (customers.length > 0) await writer.customers(customers).catch((error) => this.#problem('customers', error));
    const postedAt = Date.now();
    let answer: Response;
    try {
      answer = await fetch(`${ordersUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, ...planned.body }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      stats.postFailed(id, planned.kind, `POST /orders failed: ${(error as Error).message}`);
      return;
    }
    if (answer.status !== 201) {
      stats.postFailed(
        id,
        planned.kind,
        `POST /orders answered ${answer.status}: ${(await answer.text()).slice(0, 200)}`,
      );
      return;
    }
    stats.posted(id, planned.kind);
    await writer
      .payment({ id: `payment-${id}`, orderId: id, amount: planned.paymentAmount, ccy: 'EUR' })
      .catch((error) => this.#problem('payment', error));
    const final = await this.#followToTerminal(id, postedAt);
    if (final !== 'PENDING') stats.ended(id, final, final === 'UNKNOWN' ? undefined : Date.now() - postedAt);
  }

  async #followToTerminal(id: string, postedAt: number): Promise<TrackedOutcome> {
    const signal = this.#stopTracking.signal;
    const url = `${this.#options.ordersUrl}/orders/${encodeURIComponent(id)}?wait=${pollWaitMs}&until=confirmed`;
    while (!signal.aborted && Date.now() - postedAt < giveUpMs) {
      try {
        const answer = await fetch(url, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(pollWaitMs + 10_000)]),
        });
        if (answer.status === 200) {
          const order = (await answer.json()) as Order;
          if ((terminalStates as readonly string[]).includes(order.state)) return order.state as TrackedOutcome;
          continue;
        }
        await answer.body?.cancel();
        // 404: the orders view has not read the order back yet; 503: a rebalance; 504: poll again.
        if (answer.status !== 504) await sleep(500, undefined, { signal }).catch(() => {});
      } catch {
        await sleep(500, undefined, { signal }).catch(() => {});
      }
    }
    return signal.aborted ? 'PENDING' : 'UNKNOWN';
  }

  #problem(what: string, error: unknown): void {
    this.#options.onProblem(`writing ${what} failed: ${(error as Error).message}`);
  }
}

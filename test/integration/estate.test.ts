// The estate's proofs (issue 7) on the real broker: every service runs as `kstreams run` in its own
// process, under a prefix of its own, and is driven the way the article's UI drives it (HTTP + topics).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from '../../src/kafka/index.ts';
import type { Order, OrderValidation } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { Cluster } from './support/cluster.ts';
import { EstateClient, type OrderRequest } from './support/estate-client.ts';
import { EstateService, type EstateServiceName } from './support/estate-services.ts';

const prefix = `proof-${randomUUID().slice(0, 8)}-`;
// topics.ts reads ESTATE_PREFIX when it loads: set it first, then import it (this file runs in its own worker).
process.env.ESTATE_PREFIX = prefix;
const { topics, estatePartitions, estateApplicationId } = await import('../../topologies/estate/topics.ts');

const core: readonly EstateServiceName[] = ['orders', 'order-details', 'fraud', 'stock', 'payments', 'trace'];
const terminalStates = new Set(['CONFIRMED', 'REJECTED', 'SHIPPED']);

describe('the order estate on the real broker', () => {
  const cluster = new Cluster();
  const stateRoot = mkdtempSync(join(tmpdir(), 'kstreams-estate-'));
  const services = new Map<EstateServiceName, EstateService>();
  const service = (name: EstateServiceName) => {
    const found = services.get(name);
    if (found === undefined) throw new Error(`${name} is not part of this estate.`);
    return found;
  };
  let client: EstateClient;
  let producer: Producer;
  let failed = false;
  /** Every order posted, so the history check covers all of them. */
  const posted: OrderRequest[] = [];

  const orderId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

  async function seedStock(levels: Readonly<Record<string, number>>): Promise<void> {
    await producer.send(
      Object.entries(levels).map(([product, quantity]) => ({
        topic: topics.warehouseInventory,
        key: estateSerdes.key.serialize(topics.warehouseInventory, product),
        value: estateSerdes.stock.serialize(topics.warehouseInventory, { product, quantity }),
      })),
    );
  }

  /** Produces the order's payment; `amount` defaults to what is due (quantity * price). */
  async function pay(order: OrderRequest, amount = order.quantity * order.price): Promise<void> {
    await producer.send([
      {
        topic: topics.payments,
        key: estateSerdes.key.serialize(topics.payments, order.id),
        value: estateSerdes.payment.serialize(topics.payments, {
          id: `pay-${order.id}`,
          orderId: order.id,
          amount,
          ccy: 'EUR',
        }),
      },
    ]);
  }

  /** Posts the order and (unless `amount` is null) pays it. */
  async function place(order: OrderRequest, amount: number | null = order.quantity * order.price): Promise<void> {
    posted.push(order);
    await client.post(order);
    if (amount !== null) await pay(order, amount);
  }

  async function terminalOf(order: OrderRequest, timeoutMs = 60_000): Promise<Order> {
    const found = await client.terminal(order.id, timeoutMs);
    if (found === undefined) throw new Error(`Order ${order.id} reached no terminal state within ${timeoutMs} ms.`);
    return found;
  }

  /** Every state each order went through, as the orders topic records it. */
  async function orderHistories(ids: readonly string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(ids);
    const histories = new Map<string, string[]>();
    const records = await cluster.readUntil(
      topics.orders,
      (read) => {
        const done = new Set<string>();
        for (const record of read) {
          const order = estateSerdes.order.deserialize(topics.orders, record.value);
          if (order !== null && wanted.has(order.id) && terminalStates.has(order.state)) done.add(order.id);
        }
        return done.size === wanted.size;
      },
      30_000,
    );
    for (const record of [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const order = estateSerdes.order.deserialize(topics.orders, record.value);
      if (order === null || !wanted.has(order.id)) continue;
      histories.set(order.id, [...(histories.get(order.id) ?? []), order.state]);
    }
    return histories;
  }

  beforeAll(async () => {
    await cluster.admin.createTopics(
      Object.values(topics).map((name) => ({ name, partitions: estatePartitions, replicationFactor: 1 })),
    );
    producer = cluster.client.producer();
    await seedStock({ UNDERPANTS: 75, JUMPERS: 1, STOCKINGS: 1_000, SOCKS: 0 });
    await producer.send(
      ['alice', 'bob', 'carol'].map((id) => ({
        topic: topics.customers,
        key: estateSerdes.key.serialize(topics.customers, id),
        value: estateSerdes.customer.serialize(topics.customers, {
          id,
          name: id,
          email: `${id}@example.com`,
          level: 'gold',
        }),
      })),
    );
    for (const name of core) services.set(name, new EstateService(name, stateRoot, { ESTATE_PREFIX: prefix }));
    services.set('pricing', new EstateService('pricing', stateRoot, { ESTATE_PREFIX: prefix }));
    await Promise.all(core.map((name) => service(name).start(90_000)));
    client = new EstateClient(service('orders').base);
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop().catch(() => null)));
    if (failed) {
      for (const s of services.values()) console.log(`===== ${s.name} =====\n${s.output.join('')}`);
    }
    await producer?.close();
    const mine = (await cluster.admin.listTopics()).filter((name) => name.startsWith(prefix));
    await cluster.admin.deleteTopics(mine).catch(() => undefined);
    await cluster.admin
      .deleteGroups([...core, 'pricing'].map((name) => estateApplicationId(name)))
      .catch(() => undefined);
    await cluster.close();
    rmSync(stateRoot, { recursive: true, force: true });
  }, 60_000);

  const reference = {
    underpants: { id: orderId('underpants-3'), customerId: 'alice', product: 'UNDERPANTS', quantity: 3, price: 5 },
    jumpers1: { id: orderId('jumpers-1a'), customerId: 'bob', product: 'JUMPERS', quantity: 1, price: 20 },
    jumpers2: { id: orderId('jumpers-1b'), customerId: 'carol', product: 'JUMPERS', quantity: 1, price: 20 },
  } satisfies Record<string, OrderRequest>;

  it('passes the reference checks: stock, details, fraud, payment, zero stock', async () => {
    // Stock 75 UNDERPANTS and 1 JUMPERS; orders of 3, 1 and 1 -> PASS, PASS, FAIL (each paid correctly).
    // The second JUMPERS order is posted once the first is decided, so the expected winner is known.
    await place(reference.underpants);
    await place(reference.jumpers1);
    const underpants = await terminalOf(reference.underpants);
    const jumpers1 = await terminalOf(reference.jumpers1);
    await place(reference.jumpers2);
    const jumpers2 = await terminalOf(reference.jumpers2);
    expect(underpants.state).toBe('CONFIRMED');
    expect(jumpers1.state).toBe('CONFIRMED');
    expect(jumpers2.state).toBe('REJECTED');
    expect(jumpers2.reason).toContain('INVENTORY');

    // Details: an unknown product, and a quantity above the details limit (with stock and value in bounds).
    const unknownProduct = {
      id: orderId('teapots'),
      customerId: 'detail-1',
      product: 'TEAPOTS',
      quantity: 1,
      price: 5,
    };
    const tooMany = { id: orderId('too-many'), customerId: 'detail-2', product: 'STOCKINGS', quantity: 150, price: 1 };
    // Fraud: one order worth 3000 (limit 2000 per customer session), stock and details fine.
    const fraudulent = {
      id: orderId('fraud'),
      customerId: 'fraudster',
      product: 'STOCKINGS',
      quantity: 30,
      price: 100,
    };
    // Zero stock: ten SOCKS orders.
    const socks = Array.from({ length: 10 }, (_, i) => ({
      id: orderId(`socks-${i}`),
      customerId: `socks-customer-${i}`,
      product: 'SOCKS',
      quantity: 1,
      price: 2,
    }));
    await Promise.all([unknownProduct, tooMany, fraudulent, ...socks].map((order) => place(order)));

    const [teapots, many, fraud, ...socksDone] = await Promise.all(
      [unknownProduct, tooMany, fraudulent, ...socks].map((order) => terminalOf(order)),
    );
    expect(teapots?.state).toBe('REJECTED');
    expect(many?.state).toBe('REJECTED');
    expect(many?.reason).toContain('ORDER_DETAILS');
    expect(fraud?.state).toBe('REJECTED');
    expect(fraud?.reason).toContain('FRAUD');
    expect(socksDone.map((order) => order.state)).toEqual(socks.map(() => 'REJECTED'));
    for (const order of socksDone) expect(order.reason).toContain('INVENTORY');

    // The details check itself failed the unknown product (whatever reason won the race to reject it).
    const validations = await cluster.readUntil(
      topics.orderValidations,
      (read) => read.some((record) => validationOf(record.value)?.orderId === unknownProduct.id),
      20_000,
    );
    const details = validations
      .map((record) => validationOf(record.value))
      .filter((v) => v?.orderId === unknownProduct.id && v.checkType === 'ORDER_DETAILS');
    expect(details.map((v) => v?.result)).toEqual(['FAIL']);
  }, 90_000);

  it('never oversells: 200 concurrent orders against 50 units', async () => {
    // JUMPERS: 1 held by the confirmed reference order; a level of 51 leaves 50 to sell.
    await seedStock({ JUMPERS: 51 });
    const stockLevel = async () => {
      const response = await fetch(`${service('stock').base}/stores/stock/keys/JUMPERS`);
      return response.status === 200 ? ((await response.json()) as { value: { quantity: number } }).value.quantity : -1;
    };
    const deadline = Date.now() + 20_000;
    while ((await stockLevel()) !== 51 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await stockLevel()).toBe(51);

    const orders = Array.from({ length: 200 }, (_, i) => ({
      id: orderId(`scarce-${i}`),
      // 20 orders of 10 each per customer stay far below the fraud limit.
      customerId: `scarce-customer-${i % 10}`,
      product: 'JUMPERS',
      quantity: 1,
      price: 10,
    }));
    await Promise.all(orders.map((order) => place(order)));
    const done = await Promise.all(orders.map((order) => terminalOf(order, 90_000)));

    const confirmed = done.filter((order) => order.state === 'CONFIRMED');
    const confirmedQuantity = confirmed.reduce((sum, order) => sum + order.quantity, 0);
    expect(confirmedQuantity).toBeLessThanOrEqual(50);
    // Every order was paid and nothing else fails them: all the stock sells, and the rest is rejected for stock.
    expect(confirmedQuantity).toBe(50);
    for (const order of done.filter((o) => o.state !== 'CONFIRMED')) {
      expect(order.state).toBe('REJECTED');
      expect(order.reason).toContain('INVENTORY');
    }

    // Reservations equal the quantities of the orders not rejected (the reference order among them).
    const reservations = await fetch(`${service('stock').base}/stores/reservations/keys/JUMPERS`);
    expect(reservations.status).toBe(200);
    const total = ((await reservations.json()) as { value: { reserved: number } }).value;
    expect(total.reserved).toBe(confirmedQuantity + 1);
    // The orders holding them: one entry per order, keyed `<product>\u0000<order id>`.
    const heldAnswer = await fetch(
      `${service('stock').base}/stores/held-reservations?prefix=${encodeURIComponent('JUMPERS\u0000')}&limit=1000`,
    );
    expect(heldAnswer.status).toBe(200);
    const held = ((await heldAnswer.json()) as { entries: Array<{ key: string; value: number }> }).entries;
    expect(held.map((entry) => entry.key.slice('JUMPERS\u0000'.length)).sort()).toEqual(
      [reference.jumpers1.id, ...confirmed.map((o) => o.id)].sort(),
    );
    expect(held.reduce((sum, entry) => sum + entry.value, 0)).toBe(total.reserved);

    // Exactly one terminal state per order, in the topic's history too.
    const histories = await orderHistories(orders.map((order) => order.id));
    for (const order of orders) {
      const states = histories.get(order.id) ?? [];
      expect(new Set(states.filter((s) => terminalStates.has(s))).size, `${order.id}: ${states.join(' -> ')}`).toBe(1);
    }
  }, 150_000);

  it('traces a confirmed order: every event about it, in time order', async () => {
    const id = reference.underpants.id;
    const journal = async () => {
      const answer = await EstateClient.trace(service('trace').base, id);
      return answer.status === 200 ? (answer.body as { events: { topic: string; summary: string }[] }).events : [];
    };
    const deadline = Date.now() + 20_000;
    while (!(await journal()).some((e) => e.summary === 'CONFIRMED') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const events = await journal();
    const shown = JSON.stringify(events, null, 1);
    // In causal order: the request, its three checks (in any order), then each step caused by the one before.
    const expected = [
      'REQUESTED',
      'FRAUD PASS',
      'INVENTORY PASS',
      'ORDER_DETAILS PASS',
      'VALIDATED',
      `payment pay-${id} of 15 EUR`,
      'payment PROCESSED',
      'CONFIRMED',
    ];
    // Every event about the order is there, once.
    expect(events.map((event) => event.summary).sort(), shown).toEqual([...expected].sort());
    // ...and listed in time order: the checks sorted among themselves, as they race.
    const checks = new Set(expected.slice(1, 4));
    const listed = events.map((event) => (checks.has(event.summary) ? 'CHECK' : event.summary));
    const wanted = expected.map((summary) => (checks.has(summary) ? 'CHECK' : summary));
    expect(listed, shown).toEqual(wanted);
  }, 30_000);

  // Stock is killed for a while (orders keep coming); orders, which serves the API, is killed and restarted
  // at once (its in-flight orders must still finish).
  it.each([
    { victim: 'stock', downFor: 10 },
    { victim: 'orders', downFor: 0 },
  ] as const)(
    'brings every order to exactly one terminal state when $victim is killed and restarted mid-run',
    async ({ victim, downFor }) => {
      const orders = Array.from({ length: 30 }, (_, i) => ({
        id: orderId(`crash-${victim}-${i}`),
        customerId: `crash-${victim}-customer-${i % 5}`,
        product: 'STOCKINGS',
        quantity: 1,
        price: 3,
      }));
      for (const [i, order] of orders.entries()) {
        if (i === 10) await service(victim).kill();
        if (i === 10 + downFor) await service(victim).start(90_000);
        await place(order);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const done = await Promise.all(orders.map((order) => terminalOf(order, 90_000)));
      // Stock is plentiful, each order paid: the crash delays the orders in flight but changes no outcome.
      expect(done.map((order) => order.state)).toEqual(orders.map(() => 'CONFIRMED'));

      // No order posted so far has two different terminal states in its history.
      const histories = await orderHistories(posted.map((order) => order.id));
      for (const order of posted) {
        const states = histories.get(order.id) ?? [];
        expect(new Set(states.filter((s) => terminalStates.has(s))).size, `${order.id}: ${states.join(' -> ')}`).toBe(
          1,
        );
      }
    },
    150_000,
  );

  it('lets pricing start and stop mid-run without changing any other service', async () => {
    const errorsBefore = new Map(core.map((name) => [name, service(name).errors().length]));
    // One batch: confirmed orders and one failing each check (details, fraud, stock, payment).
    const batch = async (label: string) => {
      const orders: [OrderRequest, number | null][] = [
        [{ id: orderId(`${label}-ok`), customerId: `${label}-a`, product: 'STOCKINGS', quantity: 2, price: 5 }, 10],
        [{ id: orderId(`${label}-ok2`), customerId: `${label}-b`, product: 'UNDERPANTS', quantity: 1, price: 3 }, 3],
        [
          { id: orderId(`${label}-details`), customerId: `${label}-c`, product: 'STOCKINGS', quantity: 150, price: 1 },
          150,
        ],
        [
          { id: orderId(`${label}-fraud`), customerId: `${label}-d`, product: 'STOCKINGS', quantity: 30, price: 100 },
          3000,
        ],
        [{ id: orderId(`${label}-stock`), customerId: `${label}-e`, product: 'SOCKS', quantity: 1, price: 2 }, 2],
        [{ id: orderId(`${label}-unpaid`), customerId: `${label}-f`, product: 'STOCKINGS', quantity: 1, price: 5 }, 4],
      ];
      await Promise.all(orders.map(([order, amount]) => place(order, amount)));
      const done = await Promise.all(orders.map(([order]) => terminalOf(order)));
      // Outcome and the check that decided it (the reason's first words), not ids or timestamps.
      return done.map((order) => `${order.state} ${order.reason?.split(' check')[0] ?? ''}`.trim());
    };

    const without = await batch('no-pricing');
    expect(without).toEqual([
      'CONFIRMED',
      'CONFIRMED',
      'REJECTED ORDER_DETAILS',
      'REJECTED FRAUD',
      'REJECTED INVENTORY',
      'REJECTED payment failed: paid 4.00 but 5.00 was due',
    ]);
    const pricing = service('pricing');
    await pricing.start(90_000);
    const withPricing = await batch('pricing');
    expect(await pricing.stop()).toBe(0);
    const after = await batch('after-pricing');
    expect(withPricing).toEqual(without);
    expect(after).toEqual(without);
    // Pricing ran and read the same events (it saw products), yet wrote nothing the others consume.
    expect(pricing.errors()).toEqual([]);
    for (const name of core) {
      expect(
        service(name)
          .errors()
          .slice(errorsBefore.get(name) ?? 0),
        name,
      ).toEqual([]);
    }
  }, 120_000);
});

function validationOf(value: Buffer | null): OrderValidation | undefined {
  return estateSerdes.orderValidation.deserialize('', value) ?? undefined;
}

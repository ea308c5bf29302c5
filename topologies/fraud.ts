import { defineService } from '../src/cli/service.ts';
import { KStreamsError, Serdes, SessionWindows, StreamsBuilder } from '../src/index.ts';
import type { Order, OrderValidation } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The most a customer may order (sum of quantity * price) within one session, unless FRAUD_LIMIT says otherwise. */
export const defaultFraudLimit = 2_000;
/** A customer's session ends after this long without an order. */
export const fraudSessionGapMs = 60 * 60_000;
/** How late (in stream time) an order may arrive and still join its session. */
export const fraudSessionGraceMs = 5 * 60_000;
/** The session store, queryable per customer. */
export const fraudSessionsStore = 'fraud-customer-sessions';

/**
 * A customer's session: its total, the orders counted in it (so a redelivered order is not counted twice)
 * and the order that made the latest change (`null` when the latest record was such a redelivery).
 */
export interface FraudSession {
  readonly total: number;
  readonly orderIds: readonly string[];
  readonly lastOrderId: string | null;
}

/** The limit from FRAUD_LIMIT (a positive number), else the default. */
export function fraudLimitFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FRAUD_LIMIT;
  if (raw === undefined || raw.trim() === '') return defaultFraudLimit;
  const limit = Number(raw);
  if (!(Number.isFinite(limit) && limit > 0)) {
    throw new KStreamsError('CONFIG_INVALID', `FRAUD_LIMIT is "${raw}", which is not a positive number.`, {
      hint: `Set FRAUD_LIMIT to the largest order value allowed per customer session (e.g. ${defaultFraudLimit}), or unset it.`,
    });
  }
  return limit;
}

const emptySession = (): FraudSession => ({ total: 0, orderIds: [], lastOrderId: null });

function addOrder(order: Order, session: FraudSession): FraudSession {
  if (session.orderIds.includes(order.id)) return { ...session, lastOrderId: null };
  return {
    // Whole cents, so float sums do not drift across the limit.
    total: Math.round((session.total + order.quantity * order.price) * 100) / 100,
    orderIds: [...session.orderIds, order.id],
    lastOrderId: order.id,
  };
}

function mergeSessions(first: FraudSession, second: FraudSession): FraudSession {
  const orderIds = [...first.orderIds, ...second.orderIds.filter((id) => !first.orderIds.includes(id))];
  return { total: Math.round((first.total + second.total) * 100) / 100, orderIds, lastOrderId: null };
}

const money = (amount: number) => amount.toFixed(2);

/** The FRAUD validation of the order that just changed a session: FAIL once the session's total is above the limit. */
export function fraudValidation(orderId: string, customerId: string, total: number, limit: number): OrderValidation {
  const passed = total <= limit;
  return {
    orderId,
    checkType: 'FRAUD',
    result: passed ? 'PASS' : 'FAIL',
    reason: passed
      ? null
      : `customer "${customerId}" ordered ${money(total)} within one session, above the limit of ${money(limit)}`,
  };
}

/**
 * Re-keys requested orders by customer, sums their value per session of activity, and validates each order
 * against its session's total so far: the order that crosses the limit fails, and so does every later order
 * of that session (an order arriving late is judged against the session as it is when it arrives).
 */
export function fraudTopology(limit: number = fraudLimitFrom()) {
  const builder = new StreamsBuilder();
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_orderId, order) => order !== null && order.state === 'REQUESTED', { name: 'requested-orders' })
    .groupBy((_orderId, order) => order.customerId, {
      name: 'orders-by-customer',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(fraudSessionGapMs, fraudSessionGraceMs))
    .aggregate<FraudSession>(
      emptySession,
      (_customerId, order, session) => addOrder(order, session),
      (_customerId, first, second) => mergeSessions(first, second),
      {
        storeName: fraudSessionsStore,
        keySerde: estateSerdes.key,
        valueSerde: Serdes.json<FraudSession>(),
        // Every order needs its own validation: a cache would fold several orders into one update.
        caching: false,
      },
      { name: 'sum-session-order-value' },
    )
    .toStream({ name: 'session-updates' })
    .flatMap(
      (customer, session) =>
        session === null || session.lastOrderId === null
          ? []
          : [
              {
                key: session.lastOrderId,
                value: fraudValidation(session.lastOrderId, customer.key, session.total, limit),
              },
            ],
      { name: 'validate-session-total' },
    )
    .to(topics.orderValidations, {
      name: 'order-validations-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.orderValidation,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('fraud'),
  description: 'Fails orders once a customer orders more than FRAUD_LIMIT within one session of activity.',
  topology: () => fraudTopology(),
  topics: estateTopics(topics.orders, topics.orderValidations),
});

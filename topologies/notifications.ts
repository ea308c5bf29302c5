import { defineService } from '../src/cli/service.ts';
import { StreamsBuilder } from '../src/index.ts';
import type { Customer, Notification, Order, PaymentResult } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The global store of customers (every instance holds all of them). */
export const customersStore = 'customers';
/** Each order's payment result, co-partitioned with orders (both keyed by order id). */
export const paymentResultsStore = 'payment-results';

/** A terminal order with its payment result, when one is known. */
interface PaidOrder {
  readonly order: Order;
  readonly payment: PaymentResult | null;
}

/** What the customer is told about the payment, when there is something to say. */
export function paymentNote(payment: PaymentResult | null): string {
  if (payment === null) return '';
  return payment.status === 'PROCESSED'
    ? ` Payment ${payment.paymentId ?? ''} received.`.replace('  ', ' ')
    : ` Payment failed${payment.reason === null ? '' : `: ${payment.reason}`}.`;
}

/** The customer-facing sentence for an order that reached a terminal state. */
export function notificationMessage(order: Order): string | undefined {
  const what = `Your order ${order.id} of ${order.quantity} ${order.product}`;
  switch (order.state) {
    case 'CONFIRMED':
      return `${what} is confirmed.`;
    case 'REJECTED':
      return `${what} was rejected${order.reason === null ? '' : `: ${order.reason}`}.`;
    case 'SHIPPED':
      return `${what} has shipped.`;
    default:
      return undefined;
  }
}

export function notificationsTopology() {
  const builder = new StreamsBuilder();
  const customers = builder.globalTable<string, Customer>(
    topics.customers,
    { name: 'customers-source', keySerde: estateSerdes.key, valueSerde: estateSerdes.customer },
    { storeName: customersStore, keySerde: estateSerdes.key, valueSerde: estateSerdes.customer },
  );
  const payments = builder.table<string, PaymentResult>(
    topics.paymentResults,
    { name: 'payment-results-source', keySerde: estateSerdes.key, valueSerde: estateSerdes.paymentResult },
    { storeName: paymentResultsStore, keySerde: estateSerdes.key, valueSerde: estateSerdes.paymentResult },
  );
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_id, order) => notificationMessage(order) !== undefined, { name: 'terminal-orders' })
    // Orders and payment results share the order id key and partition count: a local lookup.
    .leftJoin(payments, (order: Order, payment: PaymentResult | null): PaidOrder => ({ order, payment }), {
      name: 'order-payment-join',
    })
    // A customer not (yet) known still gets the event, without an email, so no transition goes unreported.
    .leftJoin(
      customers,
      (_orderId, paid) => paid.order.customerId,
      ({ order, payment }: PaidOrder, customer: Customer | null): Notification => ({
        orderId: order.id,
        customerId: order.customerId,
        email: customer?.email ?? null,
        message: `${notificationMessage(order) ?? ''}${order.state === 'CONFIRMED' ? paymentNote(payment) : ''}`,
      }),
      { name: 'order-customer-join' },
    )
    .to(topics.notifications, {
      name: 'notifications-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.notification,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('notifications'),
  description: 'Tells the customer (by email) when an order is confirmed (with its payment), rejected or shipped.',
  topology: notificationsTopology,
  topics: estateTopics(topics.orders, topics.paymentResults, topics.customers, topics.notifications),
});

import { defineService } from '../src/cli/service.ts';
import { StreamsBuilder } from '../src/index.ts';
import type { Customer, Notification, Order } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The global store of customers (every instance holds all of them). */
export const customersStore = 'customers';

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
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_id, order) => notificationMessage(order) !== undefined, { name: 'terminal-orders' })
    // A customer not (yet) known still gets the event, without an email, so no transition goes unreported.
    .leftJoin(
      customers,
      (_orderId, order) => order.customerId,
      (order: Order, customer: Customer | null): Notification => ({
        orderId: order.id,
        customerId: order.customerId,
        email: customer?.email ?? null,
        message: notificationMessage(order) ?? '',
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
  description: 'Tells the customer (by email) when an order is confirmed, rejected or shipped.',
  topology: notificationsTopology,
  topics: estateTopics(topics.orders, topics.customers, topics.notifications),
});

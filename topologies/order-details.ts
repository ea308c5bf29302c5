import { defineService } from '../src/cli/service.ts';
import { StreamsBuilder } from '../src/index.ts';
import type { Order, OrderValidation } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** The products the estate sells; an order for anything else fails the details check. */
export const knownProducts = ['UNDERPANTS', 'JUMPERS', 'STOCKINGS', 'SOCKS'] as const;

export const minQuantity = 1;
export const maxQuantity = 100;

/** Every field problem of an order, in field order; empty when the order is well formed. */
export function orderDetailProblems(order: Order): string[] {
  const problems: string[] = [];
  if (order.customerId.trim() === '') problems.push('customerId is empty');
  if (!(knownProducts as readonly string[]).includes(order.product)) {
    problems.push(`product "${order.product}" is not one of ${knownProducts.join(', ')}`);
  }
  if (!Number.isInteger(order.quantity) || order.quantity < minQuantity || order.quantity > maxQuantity) {
    problems.push(`quantity ${order.quantity} is not a whole number from ${minQuantity} to ${maxQuantity}`);
  }
  if (!(order.price > 0)) problems.push(`price ${order.price} is not above 0`);
  return problems;
}

/** The ORDER_DETAILS validation of an order: PASS, or FAIL naming every problem found. */
export function validateOrderDetails(order: Order): OrderValidation {
  const problems = orderDetailProblems(order);
  return {
    orderId: order.id,
    checkType: 'ORDER_DETAILS',
    result: problems.length === 0 ? 'PASS' : 'FAIL',
    reason: problems.length === 0 ? null : problems.join('; '),
  };
}

/** Stateless: each REQUESTED order yields one validation keyed by its order id. */
export function orderDetailsTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_orderId, order) => order !== null && order.state === 'REQUESTED', { name: 'requested-orders' })
    .mapValues((order) => validateOrderDetails(order), { name: 'validate-order-details' })
    .to(topics.orderValidations, {
      name: 'order-validations-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.orderValidation,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('order-details'),
  description: 'Checks the fields of each requested order (quantity, price, product, customer).',
  topology: orderDetailsTopology,
  topics: estateTopics(topics.orders, topics.orderValidations),
});

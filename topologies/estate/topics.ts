import type { ServiceTopic } from '../../src/cli/service.ts';

/**
 * The estate's topics. Events keyed by order id share a partition count, so every service can join them
 * locally (co-partitioned); product- and customer-keyed topics are re-keyed or read as global tables.
 */
export const estatePartitions = 4;

export const topics = {
  /** Order (single writer: the orders service), keyed by order id. */
  orders: 'orders',
  /** OrderValidation from each check, keyed by order id. */
  orderValidations: 'order-validations',
  /** Stock levels, keyed by product. */
  warehouseInventory: 'warehouse-inventory',
  /** Payment, keyed by order id. */
  payments: 'payments',
  /** PaymentResult (processed or failed), keyed by order id. */
  paymentResults: 'payment-results',
  /** Shipment, keyed by order id. */
  shipments: 'shipments',
  /** Customer, keyed by customer id (read as a GlobalKTable). */
  customers: 'customers',
  /** Notification, keyed by order id. */
  notifications: 'notifications',
  /** PriceChange, keyed by product. */
  priceChanges: 'price-changes',
} as const;

export type EstateTopic = (typeof topics)[keyof typeof topics];

/** The topics a service declares (created by the runner when missing). */
export function estateTopics(...names: readonly EstateTopic[]): readonly ServiceTopic[] {
  return names.map((name) => ({ name, partitions: estatePartitions }));
}

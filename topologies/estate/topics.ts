import type { ServiceTopic } from '../../src/cli/service.ts';

/**
 * The estate's topics. Events keyed by order id share a partition count, so every service can join them
 * locally (co-partitioned); product- and customer-keyed topics are re-keyed or read as global tables.
 */
export const estatePartitions = 4;

/**
 * ESTATE_PREFIX (read once, when this module loads) prefixes every topic and application id, so several
 * estates can share one cluster: tests run their own, isolated from the demo and from each other.
 */
export const estatePrefix = process.env.ESTATE_PREFIX ?? '';

const named = <const T extends Record<string, string>>(names: T): { readonly [K in keyof T]: string } =>
  Object.fromEntries(Object.entries(names).map(([key, name]) => [key, `${estatePrefix}${name}`])) as {
    readonly [K in keyof T]: string;
  };

export const topics = named({
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
});

export type EstateTopic = (typeof topics)[keyof typeof topics];

/** A service's application id: `estate-<service>`, after the estate prefix. */
export function estateApplicationId(service: string): string {
  return `${estatePrefix}estate-${service}`;
}

/** The topics a service declares (created by the runner when missing). */
export function estateTopics(...names: readonly EstateTopic[]): readonly ServiceTopic[] {
  return names.map((name) => ({ name, partitions: estatePartitions }));
}

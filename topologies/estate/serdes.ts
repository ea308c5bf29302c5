import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InMemorySchemaStore } from '../../src/serdes/avro/index.ts';
import { Serdes } from '../../src/serdes/index.ts';
import type { Serde } from '../../src/serdes/serde.ts';
import type {
  Customer,
  Notification,
  Order,
  OrderValidation,
  Payment,
  PaymentResult,
  PriceChange,
  Shipment,
  Stock,
} from './events.ts';

const schema = (name: string) => fileURLToPath(new URL(`./schemas/${name}.avsc`, import.meta.url));

/**
 * Every schema version the estate has written, so any process reads data written by any other version
 * (single-object encoding names the writer schema by fingerprint).
 */
const store = new InMemorySchemaStore([
  JSON.parse(readFileSync(schema('order-v1'), 'utf8')) as Record<string, unknown>,
]);

const avro = <T>(name: string): Serde<T> => Serdes.avro<T>(schema(name), { store });

/** Keys are strings (order, product and customer ids); values are Avro. */
export const estateSerdes = {
  key: Serdes.string(),
  order: avro<Order>('order'),
  orderValidation: avro<OrderValidation>('order-validation'),
  stock: avro<Stock>('stock'),
  payment: avro<Payment>('payment'),
  paymentResult: avro<PaymentResult>('payment-result'),
  shipment: avro<Shipment>('shipment'),
  customer: avro<Customer>('customer'),
  notification: avro<Notification>('notification'),
  priceChange: avro<PriceChange>('price-change'),
} as const;

/** The version 1 order schema, for tests and tools that write old data. */
export const orderV1Serde = Serdes.avro<Omit<Order, 'channel'>>(schema('order-v1'), { store });

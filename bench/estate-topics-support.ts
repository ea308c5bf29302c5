// The estate's topics for one benchmark run under its own ESTATE_PREFIX: created up front with the
// estate's partition count, seeded with stock and customers, and deleted (with the groups) afterwards.
import type { Admin, Producer, ProducerRecord } from '../src/kafka/index.ts';
import type { Customer, Stock } from '../topologies/estate/events.ts';
import { estateSerdes } from '../topologies/estate/serdes.ts';
import { estatePartitions, estatePrefix, topics } from '../topologies/estate/topics.ts';
import { knownProducts } from '../topologies/order-details.ts';

/** The services the benchmark runs: the order path up to CONFIRMED (trace, notifications, pricing left out). */
export const estateBenchServices = ['orders', 'order-details', 'fraud', 'stock', 'payments'] as const;
export type EstateBenchService = (typeof estateBenchServices)[number];

/** The estate topics the order path reads or writes (the services create their internal topics). */
const pathTopics = [
  'orders',
  'orderValidations',
  'warehouseInventory',
  'payments',
  'paymentResults',
  'shipments',
  'customers',
] as const satisfies readonly (keyof typeof topics)[];

export type EstateTopicNames = { readonly [K in keyof typeof topics]: string };

/**
 * The topic names a service started with ESTATE_PREFIX=`prefix` uses. This process loaded topics.ts with
 * its own prefix (normally none), so that prefix is swapped for the run's.
 */
export function estateTopicNames(prefix: string): EstateTopicNames {
  return Object.fromEntries(
    Object.entries(topics).map(([key, name]) => [key, `${prefix}${name.slice(estatePrefix.length)}`]),
  ) as EstateTopicNames;
}

/** The consumer group (application id) of a service under the run's prefix. */
export function estateGroupId(prefix: string, service: EstateBenchService): string {
  return `${prefix}estate-${service}`;
}

export async function createEstateTopics(admin: Admin, names: EstateTopicNames): Promise<void> {
  await admin.createTopics(
    pathTopics.map((key) => ({ name: names[key], partitions: estatePartitions })),
    { ignoreExisting: true },
  );
}

export interface EstateSeed {
  /** Units of every product in stock: more than the run can order, so the inventory check passes. */
  readonly unitsPerProduct: number;
  readonly customers: number;
}

/** The customer id of customer `index`. */
export function customerId(index: number): string {
  return `customer-${index}`;
}

/** Writes every product's stock level and the customers (keyed as the estate expects). */
export async function seedEstate(producer: Producer, names: EstateTopicNames, seed: EstateSeed): Promise<void> {
  const stock: ProducerRecord[] = knownProducts.map((product) => {
    const level: Stock = { product, quantity: seed.unitsPerProduct };
    return {
      topic: names.warehouseInventory,
      key: estateSerdes.key.serialize(names.warehouseInventory, product),
      value: estateSerdes.stock.serialize(names.warehouseInventory, level),
    };
  });
  await producer.send(stock);
  for (let start = 0; start < seed.customers; start += 2_000) {
    const batch: ProducerRecord[] = [];
    for (let index = start; index < Math.min(seed.customers, start + 2_000); index++) {
      const customer: Customer = {
        id: customerId(index),
        name: `Customer ${index}`,
        email: `customer-${index}@example.com`,
        level: index % 10 === 0 ? 'gold' : 'bronze',
      };
      batch.push({
        topic: names.customers,
        key: estateSerdes.key.serialize(names.customers, customer.id),
        value: estateSerdes.customer.serialize(names.customers, customer),
      });
    }
    await producer.send(batch);
  }
}

/**
 * Deletes every topic of the run (its prefix names them all, internal ones included) and the services'
 * groups; problems are logged, not thrown, so one leftover does not hide the results.
 */
export async function dropEstate(admin: Admin, prefix: string, log: (message: string) => void): Promise<void> {
  const groups = estateBenchServices.map((service) => estateGroupId(prefix, service));
  await admin.deleteGroups(groups).catch((e: unknown) => log(`could not delete groups ${groups.join(', ')}: ${e}`));
  const names = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
  if (names.length > 0) {
    await admin.deleteTopics(names).catch((e: unknown) => log(`could not delete topics ${names.join(', ')}: ${e}`));
  }
}

import type { Admin, Producer } from '../../src/kafka/index.ts';
import type { Customer, Payment, Stock } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { estatePartitions, topics } from '../../topologies/estate/topics.ts';

/** Creates every estate topic that is missing (existing ones are left as they are). */
export async function createEstateTopics(admin: Admin): Promise<void> {
  await admin.createTopics(
    Object.values(topics).map((name) => ({ name, partitions: estatePartitions })),
    { ignoreExisting: true },
  );
}

/** Writes the events the demo plays from outside the estate: warehouse levels, customers and payments. */
export class EstateWriter {
  readonly #producer: Producer;

  constructor(producer: Producer) {
    this.#producer = producer;
  }

  async stockLevels(levels: readonly Stock[]): Promise<void> {
    const topic = topics.warehouseInventory;
    await this.#producer.send(
      levels.map((stock) => ({
        topic,
        key: estateSerdes.key.serialize(topic, stock.product),
        value: estateSerdes.stock.serialize(topic, stock),
      })),
    );
  }

  async customers(customers: readonly Customer[]): Promise<void> {
    const topic = topics.customers;
    await this.#producer.send(
      customers.map((customer) => ({
        topic,
        key: estateSerdes.key.serialize(topic, customer.id),
        value: estateSerdes.customer.serialize(topic, customer),
      })),
    );
  }

  async payment(payment: Payment): Promise<void> {
    const topic = topics.payments;
    await this.#producer.send([
      {
        topic,
        key: estateSerdes.key.serialize(topic, payment.orderId),
        value: estateSerdes.payment.serialize(topic, payment),
      },
    ]);
  }
}

import { defineService } from '../src/cli/service.ts';
import type { KeyValueStore, ProcessorContext, ProcessorSupplier, RecordHeader } from '../src/index.ts';
import { Serdes, Stores, StreamsBuilder } from '../src/index.ts';
import type { Order, OrderState, OrderValidation, Stock } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estatePartitions, estateTopics, topics } from './estate/topics.ts';

/** The stock view: the level per product, from `warehouse-inventory` and from the shipments this service books. */
export const stockStore = 'stock';
/** Per product: the quantity reserved. */
export const reservationsStore = 'reservations';
/**
 * Per product and order: the quantity that order holds, keyed `<product>\u0000<order id>`. One small entry
 * per order, so a product with many open orders costs nothing more per update (a per-product list would
 * be rewritten whole on every order).
 */
export const heldReservationsStore = 'held-reservations';

/** The key of an order's reservation; a prefix scan of `<product>\u0000` lists a product's. */
export const heldKey = (product: string, orderId: string) => `${product}\u0000${orderId}`;
/** Marks the stock levels this service writes, so it does not apply its own level twice when it reads it back. */
export const stockWriterHeader = 'estate-stock-writer';
const stockWriter = 'estate-stock';

export interface Reservations {
  readonly reserved: number;
}

/** What the reservation processor emits: a validation (keyed by order id) or a new stock level (keyed by product). */
type StockOutput =
  | { readonly kind: 'validation'; readonly validation: OrderValidation }
  | { readonly kind: 'level'; readonly stock: Stock };

const noReservations: Reservations = { reserved: 0 };

/** The states the stock service reacts to: a request reserves, a rejection releases, a shipment consumes. */
const stockStates: readonly OrderState[] = ['REQUESTED', 'REJECTED', 'SHIPPED'];

const isOwnWrite = (headers: readonly RecordHeader[]) =>
  headers.some((header) => header.key === stockWriterHeader && header.value.toString() === stockWriter);

/** Keeps the stock view current with the warehouse's seeds and restocks (absolute levels). */
const recordStockLevel: ProcessorSupplier<string, Stock | null> = () => {
  let levels: KeyValueStore<string, Stock>;
  return {
    init(context) {
      levels = context.getStateStore<KeyValueStore<string, Stock>>(stockStore);
    },
    process(record) {
      // Our own shipment levels were applied when written; applying them again as they come back could
      // move the level back past a later shipment.
      if (isOwnWrite(record.headers)) return;
      if (record.value === null) levels.delete(record.key);
      else levels.put(record.key, record.value);
    },
  };
};

/**
 * Decides each order against its product's stock, one record at a time per product (the task processes
 * a product's records in order), so two orders never reserve the same units.
 */
const reserveStock: ProcessorSupplier<string, Order, string, StockOutput> = () => {
  let context: ProcessorContext<string, StockOutput>;
  let levels: KeyValueStore<string, Stock>;
  let reservations: KeyValueStore<string, Reservations>;
  let held: KeyValueStore<string, number>;
  return {
    init(processorContext) {
      context = processorContext;
      levels = processorContext.getStateStore<KeyValueStore<string, Stock>>(stockStore);
      reservations = processorContext.getStateStore<KeyValueStore<string, Reservations>>(reservationsStore);
      held = processorContext.getStateStore<KeyValueStore<string, number>>(heldReservationsStore);
    },
    process(record) {
      const product = record.key;
      const order = record.value;
      const total = reservations.get(product) ?? noReservations;
      const validate = (result: OrderValidation['result'], reason: string | null) =>
        context.forward({
          ...record,
          key: order.id,
          value: { kind: 'validation', validation: { orderId: order.id, checkType: 'INVENTORY', result, reason } },
        });
      const heldByOrder = held.get(heldKey(product, order.id));
      if (order.state === 'REQUESTED') {
        // A redelivered request keeps its reservation and gets the same answer.
        if (heldByOrder !== undefined) return validate('PASS', null);
        const level = levels.get(product)?.quantity ?? 0;
        const available = level - total.reserved;
        if (!(order.quantity >= 1)) return validate('FAIL', `cannot reserve a quantity of ${order.quantity}`);
        if (available < order.quantity) {
          return validate('FAIL', `only ${Math.max(0, available)} ${product} available, ${order.quantity} requested`);
        }
        reservations.put(product, { reserved: total.reserved + order.quantity });
        held.put(heldKey(product, order.id), order.quantity);
        return validate('PASS', null);
      }
      // Releasing or consuming needs a reservation: a repeated or unreserved transition changes nothing.
      if (heldByOrder === undefined) return;
      held.delete(heldKey(product, order.id));
      reservations.put(product, { reserved: total.reserved - heldByOrder });
      if (order.state === 'SHIPPED') {
        const stock: Stock = { product, quantity: Math.max(0, (levels.get(product)?.quantity ?? 0) - heldByOrder) };
        levels.put(product, stock);
        context.forward({
          key: product,
          value: { kind: 'level', stock },
          timestamp: record.timestamp,
          headers: [...record.headers, { key: stockWriterHeader, value: Buffer.from(stockWriter) }],
        });
      }
    },
  };
};

/**
 * The single writer of reservations and of stock changes caused by shipping. Orders are re-keyed by
 * product into `orders-by-product`, co-partitioned with `warehouse-inventory`, so one task owns a
 * product's stock level, its reservations and its orders.
 */
export function stockTopology() {
  const builder = new StreamsBuilder();
  builder
    .addStateStore(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(stockStore), estateSerdes.key, estateSerdes.stock),
    )
    .addStateStore(
      Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(reservationsStore),
        estateSerdes.key,
        Serdes.json<Reservations>(),
      ),
    )
    .addStateStore(
      Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(heldReservationsStore),
        estateSerdes.key,
        Serdes.json<number>(),
      ),
    );
  builder
    .stream<string, Stock | null>(topics.warehouseInventory, {
      name: 'inventory-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.stock,
    })
    .process(recordStockLevel, { name: 'record-stock-level' }, stockStore);
  const decisions = builder
    .stream<string, Order | null>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .flatMapValues((order) => (order !== null && stockStates.includes(order.state) ? [order] : []), {
      name: 'stock-relevant-orders',
    })
    .selectKey((_orderId, order) => order.product, { name: 'key-by-product' })
    .repartition({
      name: 'orders-by-product',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
      partitions: estatePartitions,
    })
    .process(reserveStock, { name: 'reserve-stock' }, stockStore, reservationsStore, heldReservationsStore);
  decisions
    .flatMapValues((output) => (output.kind === 'validation' ? [output.validation] : []), {
      name: 'inventory-validations',
    })
    .to(topics.orderValidations, {
      name: 'order-validations-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.orderValidation,
    });
  decisions
    .flatMapValues((output) => (output.kind === 'level' ? [output.stock] : []), { name: 'shipped-stock-levels' })
    .to(topics.warehouseInventory, {
      name: 'warehouse-inventory-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.stock,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('stock'),
  description: 'Reserves stock for requested orders, releases it on rejection and books it out on shipping.',
  topology: stockTopology,
  topics: estateTopics(topics.orders, topics.orderValidations, topics.warehouseInventory),
});

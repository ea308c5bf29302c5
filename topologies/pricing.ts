import { defineService } from '../src/cli/service.ts';
import type { KeyValueStore, ProcessorContext, ProcessorSupplier, StreamRecord } from '../src/index.ts';
import { Serdes, Stores, StreamsBuilder } from '../src/index.ts';
import type { Order, PriceChange, Stock } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** Demand is counted in tumbling windows of this size (event time). */
export const demandWindowMs = 60_000;
/** Demand above this share of stock raises the price by `raiseFactor` (once per window). */
export const highDemandShare = 0.5;
export const raiseFactor = 1.1;
/** A window that closes with demand below this share of stock lowers the price by `lowerFactor`. */
export const lowDemandShare = 0.05;
export const lowerFactor = 0.95;

/** The pricing store: product -> supply, price and the current window's demand. */
export const pricingStore = 'pricing-by-product';

/** What pricing knows about one product. */
export interface ProductPricing {
  /** Latest stock level; null until warehouse-inventory has reported the product. */
  readonly stock: number | null;
  /** Current unit price; null until the first order names one (the base price). */
  readonly price: number | null;
  /** Start of the window `demand` counts, null when no window is open. */
  readonly windowStart: number | null;
  /** Quantity requested in the open window. */
  readonly demand: number;
  /** Whether the open window has already raised the price (one raise per window). */
  readonly raised: boolean;
}

type PricingInput =
  | { readonly kind: 'stock'; readonly quantity: number }
  | { readonly kind: 'order'; readonly quantity: number; readonly price: number };

const unknownProduct: ProductPricing = { stock: null, price: null, windowStart: null, demand: 0, raised: false };
const cents = (price: number) => Math.round(price * 100) / 100;

const priceProducts: ProcessorSupplier<string, PricingInput, string, PriceChange> = () => {
  let context: ProcessorContext<string, PriceChange>;
  let products: KeyValueStore<string, ProductPricing>;

  const announce = (product: string, price: number, reason: string, timestamp: number) =>
    context.forward({ key: product, value: { product, price, reason }, timestamp, headers: [] });

  /** Ends the open window; a quiet one lowers the price (unless it raised it already). */
  const closeWindow = (product: string, state: ProductPricing, timestamp: number): ProductPricing => {
    const { stock, price, demand, raised } = state;
    if (!raised && stock !== null && stock > 0 && price !== null && demand < lowDemandShare * stock) {
      const lowered = cents(price * lowerFactor);
      announce(product, lowered, `low demand: ${demand} requested against ${stock} in stock`, timestamp);
      return { ...state, price: lowered, windowStart: null, demand: 0, raised: false };
    }
    return { ...state, windowStart: null, demand: 0, raised: false };
  };

  const countOrder = (record: StreamRecord<string, PricingInput>, quantity: number, orderPrice: number) => {
    const product = record.key;
    let state = products.get(product) ?? unknownProduct;
    const windowStart = record.timestamp - (record.timestamp % demandWindowMs);
    if (state.windowStart !== null && windowStart < state.windowStart) {
      context.recordDropped('late');
      return;
    }
    if (state.windowStart !== null && windowStart > state.windowStart)
      state = closeWindow(product, state, record.timestamp);
    state = { ...state, price: state.price ?? orderPrice, windowStart, demand: state.demand + quantity };
    const { stock, price, demand } = state;
    if (!state.raised && stock !== null && price !== null && demand > highDemandShare * stock) {
      const raisedPrice = cents(price * raiseFactor);
      announce(product, raisedPrice, `high demand: ${demand} requested against ${stock} in stock`, record.timestamp);
      state = { ...state, price: raisedPrice, raised: true };
    }
    products.put(product, state);
  };

  /** Closes the windows that stream time has passed, also for products that got no order since. */
  const closeElapsedWindows = (streamTimeMs: number) => {
    const elapsed: Array<{ product: string; state: ProductPricing }> = [];
    for (const { key, value } of products.all()) {
      if (value.windowStart !== null && value.windowStart + demandWindowMs <= streamTimeMs) {
        elapsed.push({ product: key, state: value });
      }
    }
    for (const { product, state } of elapsed) products.put(product, closeWindow(product, state, streamTimeMs));
  };

  return {
    init(processorContext) {
      context = processorContext;
      products = processorContext.getStateStore<KeyValueStore<string, ProductPricing>>(pricingStore);
      processorContext.schedule(demandWindowMs, 'stream-time', closeElapsedWindows);
    },
    process(record) {
      const input = record.value;
      if (input.kind === 'order') {
        countOrder(record, input.quantity, input.price);
        return;
      }
      products.put(record.key, { ...(products.get(record.key) ?? unknownProduct), stock: input.quantity });
    },
  };
};

export function pricingTopology() {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore(pricingStore),
      estateSerdes.key,
      Serdes.json<ProductPricing>(),
    ),
  );
  const supply = builder
    .stream<string, Stock>(topics.warehouseInventory, {
      name: 'inventory-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.stock,
    })
    .mapValues((stock): PricingInput => ({ kind: 'stock', quantity: stock.quantity }), { name: 'supply' });
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_id, order) => order.state === 'REQUESTED', { name: 'requested-orders' })
    .selectKey((_id, order) => order.product, { name: 'by-product' })
    .repartition({ name: 'orders-by-product', keySerde: estateSerdes.key, valueSerde: estateSerdes.order })
    .mapValues((order): PricingInput => ({ kind: 'order', quantity: order.quantity, price: order.price }), {
      name: 'demand',
    })
    .merge(supply, { name: 'supply-and-demand' })
    .process(priceProducts, { name: 'price-products' }, pricingStore)
    .to(topics.priceChanges, {
      name: 'price-changes-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.priceChange,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('pricing'),
  description:
    'Raises or lowers prices when demand crosses thresholds of supply; only reads others and writes its own topic.',
  topology: pricingTopology,
  topics: estateTopics(topics.warehouseInventory, topics.orders, topics.priceChanges),
});

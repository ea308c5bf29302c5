import { defineService } from '../src/cli/service.ts';
import type { KeyValueStore, ProcessorContext, ProcessorSupplier } from '../src/index.ts';
import { JoinWindows, Serdes, Stores, StreamsBuilder } from '../src/index.ts';
import type { Order, Payment, PaymentResult } from './estate/events.ts';
import { estateSerdes } from './estate/serdes.ts';
import { estateApplicationId, estateTopics, topics } from './estate/topics.ts';

/** How far apart an order's validation and its payment may be; a payment outside the window does not count. */
export const paymentWindowMs = 5 * 60_000;
/** How long after the window closes a late payment is still accepted (and the PaymentFailed deferred). */
export const paymentGraceMs = 60_000;
/** Amounts are floating-point money: within half a cent of quantity * price is a match. */
const amountTolerance = 0.005;

/** The store remembering the result already written per order, so a payment seen twice writes one result. */
export const paymentResultsStore = 'payment-results-written';

interface OrderPayment {
  readonly order: Order;
  readonly payment: Payment | null;
}

/** Decides the outcome of an order given its payment (`null`: none came within the window). */
export function paymentResultOf(order: Order, payment: Payment | null): PaymentResult {
  if (payment === null) {
    return {
      orderId: order.id,
      paymentId: null,
      status: 'FAILED',
      reason: `no payment within ${paymentWindowMs / 60_000} minutes`,
    };
  }
  const due = order.quantity * order.price;
  if (Math.abs(payment.amount - due) <= amountTolerance) {
    return { orderId: order.id, paymentId: payment.id, status: 'PROCESSED', reason: null };
  }
  return {
    orderId: order.id,
    paymentId: payment.id,
    status: 'FAILED',
    reason: `paid ${payment.amount.toFixed(2)} but ${due.toFixed(2)} was due`,
  };
}

/** The first result per order wins: later joins of the same order (a payment delivered twice) are dropped. */
const firstResultPerOrder: ProcessorSupplier<string, OrderPayment, string, PaymentResult> = () => {
  let context: ProcessorContext<string, PaymentResult>;
  let written: KeyValueStore<string, string>;
  return {
    init(processorContext) {
      context = processorContext;
      written = processorContext.getStateStore<KeyValueStore<string, string>>(paymentResultsStore);
    },
    process(record) {
      if (written.get(record.key) !== undefined) return;
      const result = paymentResultOf(record.value.order, record.value.payment);
      written.put(record.key, result.status);
      context.forward({ ...record, value: result });
    },
  };
};

export function paymentsTopology() {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(paymentResultsStore), estateSerdes.key, Serdes.string()),
  );
  const payments = builder.stream<string, Payment>(topics.payments, {
    name: 'payments-source',
    keySerde: estateSerdes.key,
    valueSerde: estateSerdes.payment,
  });
  builder
    .stream<string, Order>(topics.orders, {
      name: 'orders-source',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.order,
    })
    .filter((_id, order) => order.state === 'VALIDATED', { name: 'validated-orders' })
    .leftJoin(
      payments,
      (order: Order, payment: Payment | null): OrderPayment => ({ order, payment }),
      JoinWindows.ofTimeDifferenceAndGrace(paymentWindowMs, paymentGraceMs),
      {
        name: 'order-payment-join',
        storeName: 'order-payment-join',
        keySerde: estateSerdes.key,
        valueSerde: estateSerdes.order,
        otherValueSerde: estateSerdes.payment,
      },
    )
    .process(firstResultPerOrder, { name: 'first-result-per-order' }, paymentResultsStore)
    .to(topics.paymentResults, {
      name: 'payment-results-sink',
      keySerde: estateSerdes.key,
      valueSerde: estateSerdes.paymentResult,
    });
  return builder.build({ requireNames: true });
}

export default defineService({
  applicationId: estateApplicationId('payments'),
  description: 'Joins validated orders with their payments and raises PaymentProcessed or PaymentFailed.',
  topology: paymentsTopology,
  topics: estateTopics(topics.orders, topics.payments, topics.paymentResults),
});

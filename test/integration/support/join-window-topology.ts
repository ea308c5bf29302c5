import { StreamsBuilder } from '../../../src/dsl/streams-builder.ts';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.ts';
import type { Topology } from '../../../src/processor/topology.ts';
import { Serdes } from '../../../src/serdes/serdes.ts';
import { timeWindowedSerdeFrom } from '../../../src/serdes/windowed-serdes.ts';

const str = Serdes.string();
const long = Serdes.long();

/** Tumbling windows of the order counts, and how late (in stream time) an order may still come. */
export const orderWindowSizeMs = 10_000;
export const orderWindowGraceMs = 5_000;

/** The key serde of the windowed counts topic. */
export const orderWindowKeySerde = timeWindowedSerdeFrom(str, orderWindowSizeMs);

/** Topics of the join-window app: customers and orders in (string keys and values), two outputs. */
export interface JoinWindowTopics {
  readonly customers: string;
  readonly orders: string;
  /** Each order with its customer's name, or `unknown` (strings). */
  readonly enriched: string;
  /** Orders per customer per window: windowed string keys, long values. */
  readonly windowCounts: string;
}

/** The store names, whose changelogs tests wait on and delete: `<applicationId>-<store>-changelog`. */
export const joinWindowStores = ['customers-store', 'order-window-counts'] as const;

/**
 * Orders left-joined with the customers table (co-partitioned by customer id) go to `enriched`; the
 * enriched orders counted per customer in tumbling windows go to `windowCounts`. Used by the
 * multi-instance proof, in child processes and in the test process alike.
 */
export function joinWindowTopology(topics: JoinWindowTopics): Topology {
  const builder = new StreamsBuilder();
  const customers = builder.table(
    topics.customers,
    { keySerde: str, valueSerde: str },
    { storeName: 'customers-store' },
  );
  const enriched = builder
    .stream(topics.orders, { keySerde: str, valueSerde: str })
    .leftJoin(customers, (order, customer) => `${order}@${customer ?? 'unknown'}`);
  enriched.to(topics.enriched, { keySerde: str, valueSerde: str });
  enriched
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(orderWindowSizeMs, orderWindowGraceMs))
    .count({ storeName: 'order-window-counts' })
    .toStream()
    .to(topics.windowCounts, { keySerde: orderWindowKeySerde, valueSerde: long });
  return builder.build();
}

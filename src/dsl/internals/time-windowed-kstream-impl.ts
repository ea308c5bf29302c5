import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { Serde } from '../../serdes/serde.ts';
import { Serdes } from '../../serdes/serdes.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import { timeWindowedSerdeFrom } from '../../serdes/windowed-serdes.ts';
import type { StateStore, StoreBuilder } from '../../state/state-store.ts';
import { kstreamSlidingWindowAggregate } from '../operators/kstream-sliding-window-aggregate.ts';
import { kstreamWindowAggregate } from '../operators/kstream-window-aggregate.ts';
import { type TimestampedAggregate, timestampedAggregateSerde } from '../operators/timestamped-aggregate.ts';
import type { WindowFold } from '../operators/window-fold.ts';
import type { Materialized, Named } from '../options.ts';
import type { Aggregator, Change, Initializer, KTable, Reducer, TimeWindowedKStream } from '../types.ts';
import { EmitStrategy } from '../windows/emit-strategy.ts';
import type { SlidingWindows } from '../windows/sliding-windows.ts';
import type { TimeWindows } from '../windows/time-windows.ts';
import { DeferredSerdeStoreBuilder } from './deferred-serde-store-builder.ts';
import type { DslGraph } from './dsl-graph.ts';
import { windowRetention, windowStoreBuilder } from './materialize-windowed.ts';
import { addWindowedAggregation, type WindowedSource } from './windowed-aggregation.ts';

/** A grouped stream cut into time windows (tumbling, hopping) or sliding windows. */
export class TimeWindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V> {
  readonly #graph: DslGraph;
  readonly #source: WindowedSource<K, V>;
  readonly #windows: TimeWindows | SlidingWindows;
  readonly #emit: EmitStrategy;

  constructor(
    graph: DslGraph,
    source: WindowedSource<K, V>,
    windows: TimeWindows | SlidingWindows,
    emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {
    this.#graph = graph;
    this.#source = source;
    this.#windows = windows;
    this.#emit = emit;
  }

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStreamImpl(this.#graph, this.#source, this.#windows, strategy);
  }

  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    // Kafka Streams spends an extra index here when a Materialized without a name is passed.
    if (materialized !== undefined && materialized.storeName === undefined) this.#graph.burnIndex();
    return this.#aggregate<number>(
      'KSTREAM-AGGREGATE-',
      (_key, _value, count) => (count ?? 0) + 1,
      materialized,
      named,
      materialized?.valueSerde ?? Serdes.long(),
    );
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    return this.#aggregate<V>(
      'KSTREAM-REDUCE-',
      (_key, value, aggregate) => (aggregate === undefined ? value : reducer(aggregate, value)),
      materialized,
      named,
      materialized?.valueSerde ?? this.#source.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    return this.#aggregate<VA>(
      'KSTREAM-AGGREGATE-',
      (key, value, aggregate) => aggregator(key, value, aggregate === undefined ? initializer() : aggregate),
      materialized,
      named,
      materialized?.valueSerde,
    );
  }

  #aggregate<VA>(
    storePrefix: string,
    fold: WindowFold<K, V, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    valueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const windows = this.#windows;
    const emit = this.#emit;
    const sizeMs = windows.kind === 'time' ? windows.sizeMs : windows.timeDifferenceMs;
    return addWindowedAggregation<K, V, VA>(this.#graph, this.#source, {
      storePrefix,
      materialized,
      named,
      valueSerde,
      emitOnClose: emit.type === 'on-window-close',
      window: {
        closeAfterMs: windows.graceMs,
        windowedSerde: (inner) => timeWindowedSerdeFrom(inner, sizeMs),
      },
      supplier: (storeName) =>
        (windows.kind === 'time'
          ? kstreamWindowAggregate<K, V, VA>(storeName, windows, emit, fold)
          : kstreamSlidingWindowAggregate<K, V, VA>(storeName, windows, emit, fold)) as ProcessorSupplier<
          K,
          unknown,
          Windowed<K>,
          Change<VA>
        >,
      store: (storeName, keySerde, storeValueSerde) => {
        if (windows.kind === 'sliding') {
          return slidingStoreBuilder(storeName, windows, materialized, keySerde, storeValueSerde);
        }
        const retentionMs = windowRetention(
          storeName,
          materialized as Materialized<unknown, unknown> | undefined,
          sizeMs + windows.graceMs,
          'the window size plus the grace period',
        );
        const options = { windowSizeMs: sizeMs, retentionMs };
        return windowStoreBuilder(storeName, materialized, options, keySerde, storeValueSerde);
      },
    });
  }
}

/**
 * Sliding windows keep each aggregate with its newest record time (Kafka Streams' timestamped window
 * store), around the value serde, which may be the application's default: resolved per task. Windows are
 * looked up 2 * d back, so the retention is at least 2 * time difference + grace, as in Kafka Streams.
 */
function slidingStoreBuilder<K, VA>(
  storeName: string,
  windows: SlidingWindows,
  materialized: Materialized<K, VA> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
): StoreBuilder<StateStore> {
  const retentionMs = windowRetention(
    storeName,
    materialized as Materialized<unknown, unknown> | undefined,
    2 * windows.timeDifferenceMs + windows.graceMs,
    'twice the time difference plus the grace period',
  );
  const options = { windowSizeMs: windows.timeDifferenceMs, retentionMs };
  const timestamped = materialized as Materialized<K, TimestampedAggregate<VA>> | undefined;
  const template = windowStoreBuilder<K, TimestampedAggregate<VA>>(
    storeName,
    timestamped,
    options,
    keySerde,
    undefined,
  );
  return new DeferredSerdeStoreBuilder(template, (context) => {
    const inner = valueSerde ?? (context?.defaultValueSerde as Serde<VA> | undefined);
    const serde = inner === undefined ? undefined : timestampedAggregateSerde(inner);
    return windowStoreBuilder<K, TimestampedAggregate<VA>>(storeName, timestamped, options, keySerde, serde);
  });
}

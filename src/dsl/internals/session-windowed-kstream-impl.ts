import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { Serde } from '../../serdes/serde.ts';
import { Serdes } from '../../serdes/serdes.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import { sessionWindowedSerdeFrom } from '../../serdes/windowed-serdes.ts';
import { kstreamSessionWindowAggregate } from '../operators/kstream-session-window-aggregate.ts';
import type { WindowFold } from '../operators/window-fold.ts';
import type { Materialized, Named } from '../options.ts';
import type { Aggregator, Change, Initializer, KTable, Merger, Reducer, SessionWindowedKStream } from '../types.ts';
import { EmitStrategy } from '../windows/emit-strategy.ts';
import type { SessionWindows } from '../windows/session-windows.ts';
import type { DslGraph } from './dsl-graph.ts';
import { sessionStoreBuilder, windowRetention } from './materialize-windowed.ts';
import { addWindowedAggregation, type WindowedSource } from './windowed-aggregation.ts';

/** A grouped stream cut into sessions of activity. */
export class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V> {
  readonly #graph: DslGraph;
  readonly #source: WindowedSource<K, V>;
  readonly #windows: SessionWindows;
  readonly #emit: EmitStrategy;

  constructor(
    graph: DslGraph,
    source: WindowedSource<K, V>,
    windows: SessionWindows,
    emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {
    this.#graph = graph;
    this.#source = source;
    this.#windows = windows;
    this.#emit = emit;
  }

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStreamImpl(this.#graph, this.#source, this.#windows, strategy);
  }

  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    if (materialized !== undefined && materialized.storeName === undefined) this.#graph.burnIndex();
    return this.#aggregate<number>(
      'KSTREAM-AGGREGATE-',
      () => 0,
      (_key, _value, count) => (count ?? 0) + 1,
      (_key, a, b) => a + b,
      materialized,
      named,
      materialized?.valueSerde ?? Serdes.long(),
    );
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    return this.#aggregate<V>(
      'KSTREAM-REDUCE-',
      undefined,
      (_key, value, aggregate) => (aggregate === undefined ? value : reducer(aggregate, value)),
      (_key, a, b) => reducer(a, b),
      materialized,
      named,
      materialized?.valueSerde ?? this.#source.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA> {
    return this.#aggregate<VA>(
      'KSTREAM-AGGREGATE-',
      initializer,
      (key, value, aggregate) => aggregator(key, value, aggregate === undefined ? initializer() : aggregate),
      merger,
      materialized,
      named,
      materialized?.valueSerde,
    );
  }

  #aggregate<VA>(
    storePrefix: string,
    initializer: Initializer<VA> | undefined,
    fold: WindowFold<K, V, VA>,
    merger: Merger<K, VA>,
    materialized: Materialized<K, VA> | undefined,
    named: Named | undefined,
    valueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const windows = this.#windows;
    const emit = this.#emit;
    const closeAfterMs = windows.inactivityGapMs + windows.graceMs;
    return addWindowedAggregation<K, V, VA>(this.#graph, this.#source, {
      storePrefix,
      materialized,
      named,
      valueSerde,
      emitOnClose: emit.type === 'on-window-close',
      window: { closeAfterMs, windowedSerde: (inner) => sessionWindowedSerdeFrom(inner) },
      supplier: (storeName) =>
        kstreamSessionWindowAggregate<K, V, VA>(
          storeName,
          windows,
          emit,
          initializer,
          fold,
          merger,
        ) as ProcessorSupplier<K, unknown, Windowed<K>, Change<VA>>,
      store: (storeName, keySerde, storeValueSerde) => {
        const retentionMs = windowRetention(
          storeName,
          materialized as Materialized<unknown, unknown> | undefined,
          closeAfterMs,
          'the inactivity gap plus the grace period',
        );
        return sessionStoreBuilder(storeName, materialized, retentionMs, keySerde, storeValueSerde);
      },
    });
  }
}

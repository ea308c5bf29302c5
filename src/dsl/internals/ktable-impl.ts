import type { Serde } from '../../serdes/serde.ts';
import { ktableFilter } from '../operators/ktable-filter.ts';
import { ktableMapValues } from '../operators/ktable-map-values.ts';
import { ktableToStream } from '../operators/ktable-to-stream.ts';
import type { Materialized, Named } from '../options.ts';
import type { KStream, KTable, Predicate, ValueJoiner, ValueMapper } from '../types.ts';
import type { Suppressed } from '../windows/suppressed.ts';
import { type DslGraph, dslError } from './dsl-graph.ts';
import { addForeignKeyJoin } from './ktable-foreign-key-join.ts';
import { addTableTableJoin, type JoinSide } from './ktable-ktable-join.ts';
import { derivedValueGetter, type KTableValueGetterSupplier, storeValueGetter } from './ktable-value-getter.ts';
import { keyValueStoreBuilder } from './materialize.ts';
import { addSuppress } from './suppress.ts';
import type { WindowedTableInfo } from './windowed-table-info.ts';

export interface TableState<K, V> {
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly queryableStoreName: string | undefined;
  /**
   * How joins read this table's current values; called only by a join (a source table materializes its
   * store then). Absent: the table's queryable store, if any.
   */
  readonly valueGetter?: () => KTableValueGetterSupplier<K, V>;
  /** Set on tables keyed by Windowed<K> (windowed aggregations and tables derived from them): for suppress. */
  readonly window?: WindowedTableInfo;
}

/**
 * A KTable node in the graph. Derived tables (filter, mapValues) are materialized only when the caller
 * names a store, as in Kafka Streams; otherwise they compute each Change from their parent's.
 */
export class KTableImpl<K, V> implements KTable<K, V> {
  readonly #graph: DslGraph;
  readonly #state: TableState<K, V>;

  constructor(graph: DslGraph, state: TableState<K, V>) {
    this.#graph = graph;
    this.#state = state;
  }

  filter(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, named, materialized);
  }

  filterNot(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, named, materialized);
  }

  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR> {
    this.#burnUnnamedStore(materialized);
    const name = this.#graph.nameOr(named, 'KTABLE-MAPVALUES-');
    const storeName = materialized?.storeName;
    this.#graph.topology.addProcessor(name, ktableMapValues(mapper, storeName), this.#state.nodeName);
    const keySerde = materialized?.keySerde ?? this.#state.keySerde;
    const valueSerde = materialized?.valueSerde;
    if (storeName !== undefined) {
      this.#graph.topology.addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), name);
    }
    return new KTableImpl(this.#graph, {
      nodeName: name,
      keySerde,
      valueSerde,
      queryableStoreName: storeName,
      window: this.#state.window,
      valueGetter: () =>
        storeName !== undefined
          ? storeValueGetter<K, VR>(storeName)
          : derivedValueGetter(this.valueGetterSupplier(), (key, value) => mapper(value, key)),
    });
  }

  toStream(named?: Named): KStream<K, V> {
    const name = this.#graph.nameOr(named, 'KTABLE-TOSTREAM-');
    this.#graph.topology.addProcessor(name, ktableToStream<K, V>(), this.#state.nodeName);
    return this.#graph.stream<K, V>({
      nodeName: name,
      keySerde: this.#state.keySerde,
      valueSerde: this.#state.valueSerde,
      repartitionRequired: false,
    });
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    return new KTableImpl(this.#graph, addSuppress(this.#graph, this.#state, suppressed));
  }

  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join<VR>(other: object, ...args: unknown[]): KTable<K, VR> {
    return this.#join<VR>('inner', other, args);
  }

  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<VR>(other: object, ...args: unknown[]): KTable<K, VR> {
    return this.#join<VR>('left', other, args);
  }

  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.#join<VR>('outer', other, [joiner, named, materialized]);
  }

  queryableStoreName(): string | undefined {
    return this.#state.queryableStoreName;
  }

  /** How a join reads this table's current values (materializing a source table on first use). */
  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    if (this.#state.valueGetter !== undefined) return this.#state.valueGetter();
    if (this.#state.queryableStoreName !== undefined) return storeValueGetter(this.#state.queryableStoreName);
    throw dslError(
      `Table node "${this.#state.nodeName}" has no store to look values up in.`,
      'Materialize the table with a store name (Materialized.storeName) before joining it.',
    );
  }

  /**
   * `args` follow `other`: `(joiner, named?, materialized?)` for a table-table join, or
   * `(foreignKeyExtractor, joiner, named?, materialized?)` for a foreign-key join.
   */
  #join<VR>(kind: 'inner' | 'left' | 'outer', other: object, args: readonly unknown[]): KTable<K, VR> {
    if (!(other instanceof KTableImpl) || other.#graph !== this.#graph) {
      throw dslError(
        `${kind === 'inner' ? 'join' : `${kind}Join`}() got a table that was not built by the same StreamsBuilder.`,
        'Join tables that come from one builder: builder.table(...) and the operators applied to it.',
      );
    }
    const left = { state: this.#state, valueGetter: () => this.valueGetterSupplier() };
    const right = { state: other.#state, valueGetter: () => other.valueGetterSupplier() };
    const [first, second, third, fourth] = args;
    if (typeof second === 'function') {
      if (kind === 'outer') {
        throw dslError(
          'outerJoin() has no foreign-key form.',
          'Use join() or leftJoin() with a foreign-key extractor.',
        );
      }
      const state = addForeignKeyJoin(this.#graph, {
        left,
        right,
        foreignKeyExtractor: first as (value: V) => unknown,
        joiner: second as ValueJoiner<V, unknown, VR>,
        leftJoin: kind === 'left',
        named: third as Named | undefined,
        materialized: fourth as Materialized<K, VR> | undefined,
      });
      return new KTableImpl(this.#graph, state);
    }
    const state = addTableTableJoin(this.#graph, {
      kind,
      left,
      right: right as JoinSide<K, unknown>,
      joiner: first as ValueJoiner<V | null, unknown, VR>,
      named: second as Named | undefined,
      materialized: third as Materialized<K, VR> | undefined,
    });
    return new KTableImpl(this.#graph, state);
  }

  #filter(predicate: Predicate<K, V>, negate: boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    this.#burnUnnamedStore(materialized);
    const name = this.#graph.nameOr(named, 'KTABLE-FILTER-');
    const storeName = materialized?.storeName;
    this.#graph.topology.addProcessor(name, ktableFilter(predicate, negate, storeName), this.#state.nodeName);
    const keySerde = materialized?.keySerde ?? this.#state.keySerde;
    const valueSerde = materialized?.valueSerde ?? this.#state.valueSerde;
    if (storeName !== undefined) {
      this.#graph.topology.addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), name);
    }
    return new KTableImpl(this.#graph, {
      nodeName: name,
      keySerde,
      valueSerde,
      queryableStoreName: storeName,
      window: this.#state.window,
      valueGetter: () =>
        storeName !== undefined
          ? storeValueGetter<K, V>(storeName)
          : derivedValueGetter(this.valueGetterSupplier(), (key, value) =>
              predicate(key, value) !== negate ? value : null,
            ),
    });
  }

  /** Kafka Streams spends a store-name index on a Materialized without a name, and materializes nothing. */
  #burnUnnamedStore(materialized: { readonly storeName?: string } | undefined): void {
    if (materialized !== undefined && materialized.storeName === undefined) this.#graph.burnIndex();
  }
}

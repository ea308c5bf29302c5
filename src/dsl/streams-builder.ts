import { KStreamsError } from '../errors.ts';
import type { SourceOptions, Topology } from '../processor/topology.ts';
import type { StoreBuilder } from '../state/state-store.ts';
import { DslGraph, type GeneratedName } from './internals/dsl-graph.ts';
import { GlobalKTableImpl } from './internals/global-ktable-impl.ts';
import { KStreamImpl } from './internals/kstream-impl.ts';
import { KTableImpl } from './internals/ktable-impl.ts';
import { storeValueGetter } from './internals/ktable-value-getter.ts';
import { keyValueStoreBuilder } from './internals/materialize.ts';
import { ktableSource } from './operators/ktable-source.ts';
import type { Consumed, Materialized } from './options.ts';
import type { GlobalKTable, KStream, KTable } from './types.ts';

export interface BuildOptions {
  /**
   * Refuse to build when a state store or repartition topic would get a generated name (Kafka Streams'
   * `ensure.explicit.internal.resource.naming`, KIP-1111). Generated names shift when the topology
   * changes, and a renamed changelog or repartition topic starts empty: the state is lost.
   */
  readonly requireNames?: boolean;
}

/**
 * Declares a topology with Kafka Streams' DSL and builds it (Kafka Streams' StreamsBuilder).
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder
 *   .stream('lines', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
 *   .flatMapValues((line) => line.toLowerCase().split(/\W+/))
 *   .groupBy((_key, word) => word, { keySerde: Serdes.string() })
 *   .count({ storeName: 'counts' })
 *   .toStream()
 *   .to('word-counts', { valueSerde: Serdes.long() });
 * const topology = builder.build();
 */
export class StreamsBuilder {
  readonly #graph = new DslGraph((graph, state) => new KStreamImpl(graph, state));

  /** A stream of the records of one topic, several topics, or every topic matching a pattern. */
  stream<K = unknown, V = unknown>(
    topics: string | readonly string[] | RegExp,
    consumed?: Consumed<K, V>,
  ): KStream<K, V> {
    const name = this.#graph.nameOr(consumed, 'KSTREAM-SOURCE-');
    this.#graph.topology.addSource(name, topics, sourceOptions(consumed));
    return this.#graph.stream<K, V>({
      nodeName: name,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      repartitionRequired: false,
    });
  }

  /**
   * A table of the latest value per key of `topic`; a null value deletes the key. With
   * `materialized.storeName` it is kept in that key-value store (queryable, and downstream nodes get old
   * values). Without one, as in Kafka Streams, no store is created: updates flow with `oldValue: null`.
   */
  table<K = unknown, V = unknown>(
    topic: string,
    consumed?: Consumed<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    const { storeName, sourceName, processorName, keySerde, valueSerde } = this.#tableSource(
      topic,
      consumed,
      materialized,
    );
    const queryableStoreName = materialized?.storeName;
    // A join materializes an unnamed table under its generated store name, as Kafka Streams does.
    let materializedStore: string | undefined;
    const materialize = (): string => {
      if (materializedStore === undefined) {
        materializedStore = storeName;
        this.#graph.topology.addStateStore(
          keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde),
          processorName,
        );
      }
      return materializedStore;
    };
    this.#graph.topology.addSource(sourceName, topic, sourceOptions(consumed)).addProcessor(
      processorName,
      ktableSource<K, V>(() => materializedStore),
      sourceName,
    );
    if (queryableStoreName !== undefined) materialize();
    return new KTableImpl<K, V>(this.#graph, {
      nodeName: processorName,
      keySerde,
      valueSerde,
      queryableStoreName,
      valueGetter: () => storeValueGetter<K, V>(materialize()),
    });
  }

  /**
   * A table replicated in full on every instance (Kafka Streams' GlobalKTable): a source, a table-source
   * processor and its store, with the store marked global on the topology. What is missing: the runtime
   * does not yet run global stores (a dedicated consumer of all partitions, bootstrapped before tasks
   * start) and there are no stream-global table joins; until then `describe()` shows the global part as
   * an ordinary sub-topology and the runtime must not start tasks for it.
   */
  globalTable<K = unknown, V = unknown>(
    topic: string,
    consumed?: Consumed<K, V>,
    materialized?: Materialized<K, V>,
  ): GlobalKTable<K, V> {
    const { storeName, sourceName, processorName, keySerde, valueSerde } = this.#tableSource(
      topic,
      consumed,
      materialized,
    );
    if (materialized?.storeName === undefined) {
      this.#graph.noteGeneratedName({
        resource: 'state store',
        name: storeName,
        operator: processorName,
        fix: 'pass Materialized with a storeName to globalTable',
      });
    }
    this.#graph.topology
      .addSource(sourceName, topic, sourceOptions(consumed))
      .addProcessor(processorName, ktableSource<K, V>(storeName), sourceName)
      .addStateStore(keyValueStoreBuilder(storeName, materialized, keySerde, valueSerde), processorName)
      .markGlobalStore(storeName);
    return new GlobalKTableImpl<K, V>(storeName);
  }

  /** Adds a store for Processor API processors: `stream.process(supplier, 'store-name')` connects it. */
  addStateStore(builder: StoreBuilder): this {
    this.#graph.topology.addStateStore(builder);
    return this;
  }

  /** The topology declared so far. With `requireNames`, refuses generated internal names (see BuildOptions). */
  build(options: BuildOptions = {}): Topology {
    const generated = this.#graph.generatedNames;
    if (options.requireNames === true && generated.length > 0) {
      throw new KStreamsError(
        'TOPOLOGY_INVALID',
        `Internal resources would get generated names: ${generated.map(describeGenerated).join('; ')}.`,
        {
          hint:
            'Name them (Named, Materialized, Grouped, Repartitioned): generated names change when the topology ' +
            'changes, and a renamed changelog or repartition topic starts empty, losing its state.',
        },
      );
    }
    return this.#graph.topology;
  }

  #tableSource<K, V>(
    topic: string,
    consumed: Consumed<K, V> | undefined,
    materialized: Materialized<K, V> | undefined,
  ) {
    // Kafka Streams' order: store name first, then source, then table-source processor.
    const storeName = materialized?.storeName ?? this.#graph.newStoreName(`${topic}-`);
    const sourceName =
      consumed?.name === undefined ? this.#graph.newProcessorName('KSTREAM-SOURCE-') : `${consumed.name}-table-source`;
    const processorName = this.#graph.nameOr(consumed, 'KTABLE-SOURCE-');
    return {
      storeName,
      sourceName,
      processorName,
      keySerde: materialized?.keySerde ?? consumed?.keySerde,
      valueSerde: materialized?.valueSerde ?? consumed?.valueSerde,
    };
  }
}

function sourceOptions<K, V>(consumed: Consumed<K, V> | undefined): SourceOptions<K, V> {
  return {
    keyDeserializer: consumed?.keySerde,
    valueDeserializer: consumed?.valueSerde,
    timestampExtractor: consumed?.timestampExtractor,
    offsetReset: consumed?.offsetReset,
  };
}

function describeGenerated(generated: GeneratedName): string {
  return `${generated.resource} "${generated.name}" of operator "${generated.operator}" (${generated.fix})`;
}

import type { KStreamsError } from '../../errors.ts';
import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { TopicNameExtractor } from '../../processor/topology.ts';
import { JoinWindows } from '../join-windows.ts';
import { kstreamFilter } from '../operators/kstream-filter.ts';
import { kstreamFlatMap } from '../operators/kstream-flat-map.ts';
import { kstreamFlatMapValues } from '../operators/kstream-flat-map-values.ts';
import { kstreamForeach } from '../operators/kstream-foreach.ts';
import { kstreamMap } from '../operators/kstream-map.ts';
import { kstreamMapValues } from '../operators/kstream-map-values.ts';
import { kstreamPeek } from '../operators/kstream-peek.ts';
import { passThrough } from '../operators/pass-through.ts';
import type { Grouped, Joined, Named, Produced, Repartitioned, StreamJoined } from '../options.ts';
import type {
  BranchedKStream,
  ForeachAction,
  KeyValue,
  KeyValueMapper,
  KGroupedStream,
  KStream,
  Predicate,
  ValueMapper,
} from '../types.ts';
import { BranchedKStreamImpl } from './branched-kstream-impl.ts';
import { type DslGraph, dslError, type StreamState } from './dsl-graph.ts';
import { GlobalKTableImpl } from './global-ktable-impl.ts';
import { KGroupedStreamImpl } from './kgrouped-stream-impl.ts';
import { KTableImpl } from './ktable-impl.ts';
import { addRepartition } from './repartition.ts';
import { addStreamStreamJoin } from './stream-stream-join.ts';
import { addStreamGlobalTableJoin, addStreamTableJoin } from './stream-table-join.ts';

type JoinKind = 'inner' | 'left' | 'outer';
type JoinFunction = (left: unknown, right: unknown) => unknown;

/**
 * A KStream node in the graph. Each operator adds one processor named by the user or in Kafka Streams'
 * style and returns a stream fed by it; key-changing operators mark the result "repartition required".
 */
export class KStreamImpl<K, V> implements KStream<K, V> {
  readonly #graph: DslGraph;
  readonly #state: StreamState<K, V>;

  constructor(graph: DslGraph, state: StreamState<K, V>) {
    this.#graph = graph;
    this.#state = state;
  }

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#add(named, 'KSTREAM-FILTER-', () => kstreamFilter(predicate), {});
  }

  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#add(named, 'KSTREAM-FILTER-', () => kstreamFilter(predicate, true), {});
  }

  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.#add(named, 'KSTREAM-MAP-', (name) => kstreamMap(name, mapper), {
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named): KStream<K, VR> {
    return this.#add(named, 'KSTREAM-MAPVALUES-', () => kstreamMapValues(mapper), { valueSerde: undefined });
  }

  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR> {
    return this.#add(named, 'KSTREAM-FLATMAP-', (name) => kstreamFlatMap(name, mapper), {
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  flatMapValues<VR>(mapper: ValueMapper<V, K, Iterable<VR>>, named?: Named): KStream<K, VR> {
    return this.#add(named, 'KSTREAM-FLATMAPVALUES-', (name) => kstreamFlatMapValues(name, mapper), {
      valueSerde: undefined,
    });
  }

  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V> {
    return this.#add(named, 'KSTREAM-KEY-SELECT-', (name) => selectKeyProcessor(name, mapper), {
      keySerde: undefined,
      repartitionRequired: true,
    });
  }

  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    return this.#add(named, 'KSTREAM-PEEK-', () => kstreamPeek(action), {});
  }

  foreach(action: ForeachAction<K, V>, named?: Named): void {
    const name = this.#graph.nameOr(named, 'KSTREAM-FOREACH-');
    this.#graph.topology.addProcessor(name, kstreamForeach(action), this.#state.nodeName);
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (!(other instanceof KStreamImpl) || other.#graph !== this.#graph) {
      throw dslError(
        'merge() got a stream that was not built by the same StreamsBuilder.',
        'Merge streams that come from one builder: builder.stream(...) and the operators applied to it.',
      );
    }
    const mine = this.#state;
    const theirs = other.#state as StreamState<K, V>;
    const name = this.#graph.nameOr(named, 'KSTREAM-MERGE-');
    this.#graph.topology.addProcessor(name, passThrough<K, V>(), mine.nodeName, theirs.nodeName);
    return this.#graph.stream<K, V>({
      nodeName: name,
      keySerde: mine.keySerde === theirs.keySerde ? mine.keySerde : undefined,
      valueSerde: mine.valueSerde === theirs.valueSerde ? mine.valueSerde : undefined,
      repartitionRequired: mine.repartitionRequired || theirs.repartitionRequired,
    });
  }

  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStreamImpl(this.#graph, this.#state, named);
  }

  process<KR, VR>(
    supplier: ProcessorSupplier<K, V, KR, VR>,
    ...namedAndStores: [Named, ...string[]] | string[]
  ): KStream<KR, VR> {
    const [first, ...rest] = namedAndStores;
    const named = typeof first === 'object' ? first : undefined;
    const storeNames = (typeof first === 'object' || first === undefined ? rest : [first, ...rest]) as string[];
    const name = this.#graph.nameOr(named, 'KSTREAM-PROCESSOR-');
    this.#graph.topology.addProcessor(name, supplier, this.#state.nodeName);
    this.#graph.topology.connectProcessorAndStateStores(...storeNames.map((store) => [name, store] as const));
    // The processor may forward any key: a grouping downstream must repartition.
    return this.#graph.stream<KR, VR>({
      nodeName: name,
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = this.#graph.nameOr(produced, 'KSTREAM-SINK-');
    this.#graph.topology.addSink(
      name,
      topic,
      {
        keySerializer: produced?.keySerde ?? this.#state.keySerde,
        valueSerializer: produced?.valueSerde ?? this.#state.valueSerde,
        partitioner: produced?.partitioner,
      },
      this.#state.nodeName,
    );
  }

  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const name = repartitioned?.name ?? this.#graph.newProcessorName('KSTREAM-REPARTITION-');
    if (repartitioned?.name === undefined) {
      this.#graph.noteGeneratedName({
        resource: 'repartition topic',
        name: `${name}-repartition`,
        operator: name,
        fix: 'pass Repartitioned with a name to repartition()',
      });
    }
    if (
      repartitioned?.partitions !== undefined &&
      !(Number.isInteger(repartitioned.partitions) && repartitioned.partitions > 0)
    ) {
      throw dslError(
        `repartition "${name}" asks for ${repartitioned.partitions} partitions.`,
        'Pass a positive whole number of partitions, or leave it out to match the upstream topics.',
      );
    }
    const keySerde = repartitioned?.keySerde ?? this.#state.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? this.#state.valueSerde;
    const source = addRepartition<K, V>(this.#graph, {
      parent: this.#state.nodeName,
      topicPrefix: name,
      keySerde,
      valueSerde,
      partitions: repartitioned?.partitions,
      partitioner: repartitioned?.partitioner,
      dropNullKeys: false,
    });
    return this.#graph.stream<K, V>({ nodeName: source, keySerde, valueSerde, repartitionRequired: false });
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStreamImpl<K, V>(this.#graph, {
      nodeName: this.#state.nodeName,
      keySerde: grouped?.keySerde ?? this.#state.keySerde,
      valueSerde: grouped?.valueSerde ?? this.#state.valueSerde,
      repartitionRequired: this.#state.repartitionRequired,
      repartitionName: grouped?.name,
    });
  }

  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const name = this.#graph.nameOr(grouped, 'KSTREAM-KEY-SELECT-');
    this.#graph.topology.addProcessor(name, selectKeyProcessor(name, selector), this.#state.nodeName);
    return new KGroupedStreamImpl<KR, V>(this.#graph, {
      nodeName: name,
      keySerde: grouped?.keySerde,
      valueSerde: grouped?.valueSerde ?? this.#state.valueSerde,
      repartitionRequired: true,
      repartitionName: grouped?.name,
    });
  }

  /** Dispatches on the other side: a KStream (windowed join), a KTable or a GlobalKTable. */
  readonly join: KStream<K, V>['join'] = ((other: unknown, a: unknown, b?: unknown, c?: unknown) =>
    this.#join('inner', other, a, b, c)) as KStream<K, V>['join'];

  readonly leftJoin: KStream<K, V>['leftJoin'] = ((other: unknown, a: unknown, b?: unknown, c?: unknown) =>
    this.#join('left', other, a, b, c)) as KStream<K, V>['leftJoin'];

  readonly outerJoin: KStream<K, V>['outerJoin'] = ((other: unknown, a: unknown, b?: unknown, c?: unknown) =>
    this.#join('outer', other, a, b, c)) as KStream<K, V>['outerJoin'];

  #join(kind: JoinKind, other: unknown, a: unknown, b: unknown, c: unknown): KStream<K, unknown> {
    const graph = this.#graph;
    if (other instanceof KStreamImpl) {
      if (other.#graph !== graph) throw foreignStream(`${kind} join`);
      if (!(b instanceof JoinWindows)) {
        throw dslError(
          'A stream-stream join was called without JoinWindows.',
          'Pass the windows after the joiner: left.join(right, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(ms)).',
        );
      }
      const joined = addStreamStreamJoin<K, V, unknown, unknown>(graph, {
        left: this.#state,
        right: other.#state as StreamState<K, unknown>,
        joiner: a as JoinFunction,
        windows: b,
        streamJoined: c as StreamJoined<K, V, unknown> | undefined,
        leftOuter: kind !== 'inner',
        rightOuter: kind === 'outer',
      });
      return graph.stream(joined);
    }
    if (kind === 'outer') {
      throw dslError(
        'outerJoin() works between two streams only.',
        'Join a table with join() or leftJoin(), or turn it into a stream (toStream()) for a windowed outer join.',
      );
    }
    if (other instanceof KTableImpl) {
      const joined = addStreamTableJoin<K, V, unknown, unknown>(graph, {
        stream: this.#state,
        table: (other as KTableImpl<K, unknown>).valueGetterSupplier(),
        joiner: a as JoinFunction,
        joined: b as Joined<K, V, unknown> | undefined,
        left: kind === 'left',
      });
      return graph.stream(joined);
    }
    if (other instanceof GlobalKTableImpl) {
      const joined = addStreamGlobalTableJoin<K, V, unknown, unknown, unknown>(graph, {
        stream: this.#state,
        globalStore: other.queryableStoreName(),
        keySelector: a as KeyValueMapper<K, V, unknown>,
        joiner: b as JoinFunction,
        named: c as Named | undefined,
        left: kind === 'left',
      });
      return graph.stream(joined);
    }
    throw dslError(
      `${kind === 'left' ? 'leftJoin' : 'join'}() got something that is not a KStream, KTable or GlobalKTable.`,
      'Join with a stream, table or global table built by the same StreamsBuilder.',
    );
  }

  /** Adds one processor after this stream's node and returns the stream it feeds. */
  #add<KR, VR>(
    named: Named | undefined,
    prefix: string,
    supplier: (name: string) => ProcessorSupplier<K, V, KR, VR>,
    changes: Partial<StreamState<KR, VR>>,
  ): KStream<KR, VR> {
    const name = this.#graph.nameOr(named, prefix);
    this.#graph.topology.addProcessor(name, supplier(name), this.#state.nodeName);
    return this.#graph.stream<KR, VR>({
      ...(this.#state as unknown as StreamState<KR, VR>),
      ...changes,
      nodeName: name,
    });
  }
}

function foreignStream(operation: string): KStreamsError {
  return dslError(
    `${operation} got a stream that was not built by the same StreamsBuilder.`,
    'Join streams that come from one builder: builder.stream(...) and the operators applied to it.',
  );
}

function selectKeyProcessor<K, V, KR>(name: string, mapper: KeyValueMapper<K, V, KR>): ProcessorSupplier<K, V, KR, V> {
  return kstreamMap<K, V, KR, V>(name, (key, value) => ({ key: mapper(key, value), value }));
}

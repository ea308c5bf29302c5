import { KStreamsError } from '../errors.ts';
import type { Deserializer, Serializer } from '../serdes/serde.ts';
import type { StoreBuilder } from '../state/state-store.ts';
import type { ProcessorSupplier } from './processor.ts';
import type { StreamRecord } from './stream-record.ts';
import type { TimestampExtractor } from './timestamp-extractor.ts';
import { describeTopology, type TopologyDescription } from './topology-description.ts';

export const autoOffsetResets = ['earliest', 'latest'] as const;
export type AutoOffsetReset = (typeof autoOffsetResets)[number];

export interface SourceOptions<K = unknown, V = unknown> {
  readonly keyDeserializer?: Deserializer<K>;
  readonly valueDeserializer?: Deserializer<V>;
  readonly timestampExtractor?: TimestampExtractor;
  /** Where to start when the application has no committed offset; default earliest. */
  readonly offsetReset?: AutoOffsetReset;
}

/** Picks a sink's topic per record (Kafka Streams' TopicNameExtractor). */
export type TopicNameExtractor<K, V> = (record: StreamRecord<K, V>) => string;

/** Picks a sink's partition; `undefined` falls back to the Java-compatible key hash. */
export type StreamPartitioner<K, V> = (
  topic: string,
  record: StreamRecord<K, V>,
  partitionCount: number,
) => number | undefined;

export interface SinkOptions<K = unknown, V = unknown> {
  readonly keySerializer?: Serializer<K>;
  readonly valueSerializer?: Serializer<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

export interface SourceNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly pattern: RegExp | undefined;
  readonly options: SourceOptions;
}

export interface ProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly parents: readonly string[];
  readonly stores: readonly string[];
}

export interface SinkNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor<unknown, unknown>;
  readonly parents: readonly string[];
  readonly options: SinkOptions;
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/**
 * A topic the application owns (Kafka Streams' internal topics). Sources and sinks name it without a
 * prefix; the runtime reads and writes `<application.id>-<name>` and creates it before starting.
 */
export interface InternalTopic {
  readonly name: string;
  readonly kind: 'repartition';
  /** Partition count; `undefined` means as many as the sub-topology's other source topics. */
  readonly partitions: number | undefined;
}

/**
 * The processor graph (Kafka Streams' Topology): sources read topics, processors transform, sinks write.
 * The DSL builds one of these; the Processor API builds it by hand. Names are the nodes' identity and must
 * be unique: they name tasks' nodes in logs, metrics and `describe()`.
 */
export class Topology {
  readonly #nodes = new Map<string, TopologyNode>();
  readonly #children = new Map<string, string[]>();
  readonly #stores = new Map<string, StoreBuilder>();
  readonly #internalTopics = new Map<string, InternalTopic>();
  readonly #globalStores = new Set<string>();

  addSource(name: string, topics: string | readonly string[] | RegExp, options: SourceOptions = {}): this {
    this.#claimName(name);
    const pattern = topics instanceof RegExp ? topics : undefined;
    const list = topics instanceof RegExp ? [] : typeof topics === 'string' ? [topics] : [...topics];
    if (pattern === undefined && list.length === 0) {
      throw invalid(`Source "${name}" has no topics.`, 'Give at least one topic name or a pattern.');
    }
    for (const topic of list) {
      const owner = this.sources().find((s) => s.topics.includes(topic));
      if (owner !== undefined) {
        throw invalid(
          `Topic "${topic}" is read by both source "${owner.name}" and source "${name}".`,
          'Read each topic with one source and branch downstream of it.',
        );
      }
    }
    this.#add({ kind: 'source', name, topics: list, pattern, options });
    return this;
  }

  addProcessor<KIn = unknown, VIn = unknown, KOut = never, VOut = never>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.#claimName(name);
    this.#checkParents(name, parentNames);
    this.#add({
      kind: 'processor',
      name,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: parentNames,
      stores: [],
    });
    return this;
  }

  addSink<K, V>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    options: SinkOptions<K, V>,
    ...parentNames: string[]
  ): this {
    this.#claimName(name);
    this.#checkParents(name, parentNames);
    this.#add({
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      parents: parentNames,
      options: options as SinkOptions,
    });
    return this;
  }

  /** Registers a store and connects it to the named processors (they reach it with getStateStore). */
  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    if (this.#stores.has(builder.name)) {
      throw invalid(`A state store named "${builder.name}" already exists.`, 'Give each store a unique name.');
    }
    this.#stores.set(builder.name, builder);
    this.connectProcessorAndStateStores(...processorNames.map((p) => [p, builder.name] as const));
    return this;
  }

  connectProcessorAndStateStores(...pairs: ReadonlyArray<readonly [processorName: string, storeName: string]>): this {
    for (const [processorName, storeName] of pairs) {
      const node = this.#nodes.get(processorName);
      if (node?.kind !== 'processor') {
        throw invalid(
          `Cannot connect store "${storeName}" to "${processorName}": no processor has that name.`,
          'Add the processor first, then connect its stores.',
        );
      }
      if (!this.#stores.has(storeName)) {
        throw invalid(`No state store named "${storeName}".`, 'Add it with addStateStore(builder) first.');
      }
      if (!node.stores.includes(storeName)) {
        this.#nodes.set(processorName, { ...node, stores: [...node.stores, storeName] });
      }
    }
    return this;
  }

  /** Declares an internal topic (e.g. a repartition topic written by a sink and read by a source). */
  addInternalTopic(name: string, options: { kind: 'repartition'; partitions?: number }): this {
    if (this.#internalTopics.has(name)) {
      throw invalid(`Internal topic "${name}" is declared twice.`, 'Give each repartition a unique name.');
    }
    this.#internalTopics.set(name, { name, kind: options.kind, partitions: options.partitions });
    return this;
  }

  internalTopics(): readonly InternalTopic[] {
    return [...this.#internalTopics.values()];
  }

  /**
   * Marks a store as global (GlobalKTable): every instance will hold all partitions of its source topic,
   * kept up to date by a dedicated thread, not by tasks. Runtime support is not there yet.
   */
  markGlobalStore(storeName: string): this {
    if (!this.#stores.has(storeName)) {
      throw invalid(`No state store named "${storeName}".`, 'Add it with addStateStore(builder) first.');
    }
    this.#globalStores.add(storeName);
    return this;
  }

  globalStoreNames(): readonly string[] {
    return [...this.#globalStores];
  }

  node(name: string): TopologyNode | undefined {
    return this.#nodes.get(name);
  }

  /** Nodes in the order they were added. */
  nodes(): readonly TopologyNode[] {
    return [...this.#nodes.values()];
  }

  children(name: string): readonly string[] {
    return this.#children.get(name) ?? [];
  }

  sources(): readonly SourceNode[] {
    return this.nodes().filter((n): n is SourceNode => n.kind === 'source');
  }

  storeBuilder(name: string): StoreBuilder | undefined {
    return this.#stores.get(name);
  }

  storeBuilders(): readonly StoreBuilder[] {
    return [...this.#stores.values()];
  }

  describe(): TopologyDescription {
    return describeTopology(this);
  }

  #claimName(name: string): void {
    if (name.length === 0) throw invalid('A node name is empty.', 'Name every node.');
    if (this.#nodes.has(name)) {
      throw invalid(`A node named "${name}" already exists.`, 'Node names must be unique within a topology.');
    }
  }

  #checkParents(name: string, parents: readonly string[]): void {
    if (parents.length === 0) {
      throw invalid(`Node "${name}" has no parent.`, 'Name the source or processor that feeds it.');
    }
    for (const parent of parents) {
      const node = this.#nodes.get(parent);
      if (node === undefined) {
        throw invalid(`Parent "${parent}" of node "${name}" does not exist.`, 'Add parents before their children.');
      }
      if (node.kind === 'sink') {
        throw invalid(
          `Sink "${parent}" cannot be the parent of "${name}".`,
          'Sinks end a branch: feed from a processor.',
        );
      }
    }
  }

  #add(node: TopologyNode): void {
    this.#nodes.set(node.name, node);
    if (node.kind !== 'source') {
      for (const parent of node.parents) this.#children.set(parent, [...this.children(parent), node.name]);
    }
  }
}

function invalid(message: string, hint: string): KStreamsError {
  return new KStreamsError('TOPOLOGY_INVALID', message, { hint });
}

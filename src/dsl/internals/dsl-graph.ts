import { KStreamsError } from '../../errors.ts';
import { Topology } from '../../processor/topology.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { Named } from '../options.ts';
import type { KStream } from '../types.ts';

/** What a KStream knows about itself: the node that feeds it, its serdes, whether its key was changed. */
export interface StreamState<K, V> {
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** True after a key-changing operation: a grouping downstream must go through a repartition topic. */
  readonly repartitionRequired: boolean;
}

/** An internal resource whose name the builder generated (reported by the strict naming option). */
export interface GeneratedName {
  readonly resource: 'repartition topic' | 'state store';
  readonly name: string;
  readonly operator: string;
  readonly fix: string;
}

/**
 * The state one StreamsBuilder shares with the streams and tables it creates: the topology being built
 * (written as the DSL is called, so mistakes fail at the call that made them) and the one name counter,
 * used exactly as Kafka Streams uses its own so generated names match `KSTREAM-FILTER-0000000001`.
 */
export class DslGraph {
  readonly topology = new Topology();
  readonly generatedNames: GeneratedName[] = [];
  readonly #makeStream: <K, V>(graph: DslGraph, state: StreamState<K, V>) => KStream<K, V>;
  #index = 0;

  /** `makeStream` builds a KStream (injected: the KStream implementation depends on this file). */
  constructor(makeStream: <K, V>(graph: DslGraph, state: StreamState<K, V>) => KStream<K, V>) {
    this.#makeStream = makeStream;
  }

  stream<K, V>(state: StreamState<K, V>): KStream<K, V> {
    return this.#makeStream(this, state);
  }

  newProcessorName(prefix: string): string {
    return `${prefix}${this.#nextIndex()}`;
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${this.#nextIndex()}`;
  }

  /** Consumes one index without naming anything, where Kafka Streams does (to keep later names equal). */
  burnIndex(): void {
    this.#index++;
  }

  /** The user's name for the operator, or a generated one with the operator's prefix. */
  nameOr(named: Named | undefined, prefix: string): string {
    return named?.name ?? this.newProcessorName(prefix);
  }

  noteGeneratedName(generated: GeneratedName): void {
    this.generatedNames.push(generated);
  }

  #nextIndex(): string {
    return String(this.#index++).padStart(10, '0');
  }
}

/** A DSL misuse found while building: names the operator and the fix. */
export function dslError(message: string, hint: string): KStreamsError {
  return new KStreamsError('TOPOLOGY_INVALID', message, { hint });
}

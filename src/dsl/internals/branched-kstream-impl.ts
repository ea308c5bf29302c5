import { kstreamBranch } from '../operators/kstream-branch.ts';
import { passThrough } from '../operators/pass-through.ts';
import type { Named } from '../options.ts';
import type { Branched, BranchedKStream, KStream, Predicate } from '../types.ts';
import { type DslGraph, dslError, type StreamState } from './dsl-graph.ts';

/**
 * `split()`: one branch node (`KSTREAM-BRANCH-0000000001`) with a pass-through child per branch, named
 * `<split name><branch name or position>` as in Kafka Streams, so each branch is a stream of its own.
 */
export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  readonly #graph: DslGraph;
  readonly #state: StreamState<K, V>;
  readonly #splitterName: string;
  readonly #predicates: Predicate<K, V>[] = [];
  readonly #children: string[] = [];
  readonly #branches = new Map<string, KStream<K, V>>();
  #defaultChild: string | undefined;
  #closed = false;

  constructor(graph: DslGraph, state: StreamState<K, V>, named: Named | undefined) {
    this.#graph = graph;
    this.#state = state;
    this.#splitterName = graph.nameOr(named, 'KSTREAM-BRANCH-');
    graph.topology.addProcessor(
      this.#splitterName,
      kstreamBranch(this.#predicates, this.#children, () => this.#defaultChild),
      state.nodeName,
    );
  }

  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V> {
    this.#checkOpen('branch');
    if (typeof predicate !== 'function') {
      throw dslError(
        `branch() of split "${this.#splitterName}" got ${String(predicate)} instead of a predicate.`,
        'Pass a function (key, value) => boolean.',
      );
    }
    this.#predicates.push(predicate);
    this.#children.push(this.#addBranch(branched, this.#predicates.length));
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): ReadonlyMap<string, KStream<K, V>> {
    this.#close('defaultBranch');
    this.#defaultChild = this.#addBranch(branched, 0);
    return this.#branches;
  }

  noDefaultBranch(): ReadonlyMap<string, KStream<K, V>> {
    this.#close('noDefaultBranch');
    return this.#branches;
  }

  #addBranch(branched: Branched<K, V> | undefined, position: number): string {
    const childName = `${this.#splitterName}${branched?.name ?? position}`;
    // Kafka Streams spends one index per branch; doing the same keeps later generated names equal.
    this.#graph.burnIndex();
    this.#graph.topology.addProcessor(childName, passThrough<K, V>(), this.#splitterName);
    const stream = this.#graph.stream<K, V>({ ...this.#state, nodeName: childName });
    if (branched?.chain === undefined) {
      this.#branches.set(childName, stream);
    } else {
      const chained = branched.chain(stream);
      if (chained !== undefined) this.#branches.set(childName, chained);
    }
    return childName;
  }

  #close(method: string): void {
    this.#checkOpen(method);
    if (this.#predicates.length === 0) {
      throw dslError(
        `split "${this.#splitterName}" has no branches when ${method}() is called.`,
        'Add at least one .branch(predicate) before closing the split; without predicates there is nothing to split.',
      );
    }
    this.#closed = true;
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw dslError(
        `${method}() was called on split "${this.#splitterName}" after it was closed.`,
        'Add every branch before defaultBranch() or noDefaultBranch(), which end the split.',
      );
    }
  }
}

import type { Topology, TopologyNode } from './topology.ts';

/** A connected part of the topology; the runtime makes one task per partition of each. */
export interface Subtopology {
  readonly id: number;
  /** Node names, in the order they were added to the topology. */
  readonly nodes: readonly string[];
  readonly sourceTopics: readonly string[];
  readonly sourcePatterns: readonly RegExp[];
  readonly stores: readonly string[];
  /** True for a global store's sub-topology: every instance runs it over all partitions, outside tasks. */
  readonly global: boolean;
}

/**
 * Splits a topology into sub-topologies: nodes joined by an edge, or by a state store they share, belong
 * together. A sink and the source reading its topic do not (that topic is the boundary, as with
 * repartition topics). Ids follow the order in which each group's first node was added, as in Kafka Streams.
 */
export function subtopologiesOf(topology: Topology): readonly Subtopology[] {
  const nodes = topology.nodes();
  const root = new Map<string, string>(nodes.map((n) => [n.name, n.name]));
  const find = (name: string): string => {
    let current = name;
    while (root.get(current) !== current) current = root.get(current)!;
    root.set(name, current);
    return current;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) root.set(rb, ra);
  };

  const storeOwner = new Map<string, string>();
  for (const node of nodes) {
    if (node.kind !== 'source') for (const parent of node.parents) union(parent, node.name);
    if (node.kind === 'processor') {
      for (const store of node.stores) {
        const owner = storeOwner.get(store);
        if (owner === undefined) storeOwner.set(store, node.name);
        else union(owner, node.name);
      }
    }
  }

  const groups = new Map<string, TopologyNode[]>();
  for (const node of nodes) {
    const key = find(node.name);
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const globalStores = new Set(topology.globalStoreNames());
  return [...groups.values()].map((members, id) => ({
    id,
    nodes: members.map((n) => n.name),
    sourceTopics: members.flatMap((n) => (n.kind === 'source' ? n.topics : [])),
    sourcePatterns: members.flatMap((n) => (n.kind === 'source' && n.pattern !== undefined ? [n.pattern] : [])),
    stores: [...new Set(members.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))],
    global: members.some((n) => n.kind === 'processor' && n.stores.some((store) => globalStores.has(store))),
  }));
}

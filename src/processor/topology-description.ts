import { type Subtopology, subtopologiesOf } from './subtopologies.ts';
import type { Topology, TopologyNode } from './topology.ts';

export interface TopologyDescription {
  readonly subtopologies: readonly Subtopology[];
  /** The same text as Kafka Streams' `TopologyDescription.toString()`, so its visualizers can draw ours. */
  toString(): string;
  /** A Mermaid flowchart: sub-topologies as subgraphs, topics as parallelograms. */
  toMermaid(): string;
}

export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies = subtopologiesOf(topology);
  return {
    subtopologies,
    toString: () => formatText(topology, subtopologies),
    toMermaid: () => formatMermaid(topology, subtopologies),
  };
}

function formatText(topology: Topology, subtopologies: readonly Subtopology[]): string {
  const order = nodeOrder(topology);
  // Java writes "Topologies:\n " and then "  Sub-topology: n" for each: the first line has one space more.
  let text = 'Topologies:\n ';
  for (const subtopology of subtopologies) {
    text += `  Sub-topology: ${subtopology.id}${subtopology.global ? ' for global store (will not generate tasks)' : ''}\n`;
    for (const name of [...subtopology.nodes].sort(order)) {
      const node = topology.node(name)!;
      text += `    ${headline(node)}\n`;
      if (node.kind !== 'sink') {
        const children = [...topology.children(name)].sort(order);
        text += `      --> ${children.length === 0 ? 'none' : children.join(', ')}\n`;
      }
      if (node.kind !== 'source') text += `      <-- ${[...node.parents].sort(order).join(', ')}\n`;
    }
    text += '\n';
  }
  return text;
}

function headline(node: TopologyNode): string {
  switch (node.kind) {
    case 'source':
      return node.pattern === undefined
        ? `Source: ${node.name} (topics: [${node.topics.join(', ')}])`
        : `Source: ${node.name} (topic pattern: ${node.pattern.source})`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${node.stores.join(', ')}])`;
    case 'sink':
      return typeof node.topic === 'string'
        ? `Sink: ${node.name} (topic: ${node.topic})`
        : `Sink: ${node.name} (extractor class: ${node.topic.name || 'topic-name-extractor'})`;
  }
}

/**
 * Kafka Streams lists nodes with the most downstream nodes first (so a sub-topology reads from its
 * sources down), ties broken by name. Size counts every downstream path, as Java's does.
 */
function nodeOrder(topology: Topology): (a: string, b: string) => number {
  const sizes = new Map<string, number>();
  const size = (name: string): number => {
    const known = sizes.get(name);
    if (known !== undefined) return known;
    const total = 1 + topology.children(name).reduce((sum, child) => sum + size(child), 0);
    sizes.set(name, total);
    return total;
  };
  return (a, b) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0);
}

function formatMermaid(topology: Topology, subtopologies: readonly Subtopology[]): string {
  const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const label = (text: string) => text.replaceAll('"', '#quot;');
  const lines = ['flowchart TD'];
  const topics = new Set<string>();
  const edges: string[] = [];
  for (const subtopology of subtopologies) {
    lines.push(`  subgraph sub_${subtopology.id} ["Sub-topology ${subtopology.id}"]`);
    for (const name of subtopology.nodes) {
      const node = topology.node(name)!;
      const shape = node.kind === 'processor' ? `["${label(name)}"]` : `(["${label(name)}"])`;
      lines.push(`    ${id('node', name)}${shape}`);
      for (const child of topology.children(name)) edges.push(`  ${id('node', name)} --> ${id('node', child)}`);
      if (node.kind === 'source') {
        for (const topic of node.pattern === undefined ? node.topics : [`/${node.pattern.source}/`]) {
          topics.add(topic);
          edges.push(`  ${id('topic', topic)} --> ${id('node', name)}`);
        }
      }
      if (node.kind === 'sink' && typeof node.topic === 'string') {
        topics.add(node.topic);
        edges.push(`  ${id('node', name)} --> ${id('topic', node.topic)}`);
      }
      if (node.kind === 'processor') {
        for (const store of node.stores) edges.push(`  ${id('node', name)} -.- ${id('store', store)}`);
      }
    }
    for (const store of subtopology.stores) lines.push(`    ${id('store', store)}[("${label(store)}")]`);
    lines.push('  end');
  }
  for (const topic of topics) lines.push(`  ${id('topic', topic)}[/"${label(topic)}"/]`);
  return `${[...lines, ...edges].join('\n')}\n`;
}

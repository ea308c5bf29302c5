import { describe, expect, it } from 'vitest';
import { Topology } from '../../src/processor/topology.ts';
import type { StateStore, StoreBuilder } from '../../src/state/state-store.ts';

const noop = () => ({ process: () => undefined });
const store = (name: string): StoreBuilder => ({
  name,
  loggingEnabled: true,
  build: (): StateStore => ({ name, persistent: false, flush: () => undefined, close: () => undefined }),
});

describe('Topology.describe', () => {
  it('prints the text Kafka Streams prints for source -> processor with a store -> sink', () => {
    const topology = new Topology()
      .addSource('source', 'input')
      .addProcessor('processor', noop, 'source')
      .addStateStore(store('store'), 'processor')
      .addSink('sink', 'output', {}, 'processor');

    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: source (topics: [input])\n' +
        '      --> processor\n' +
        '    Processor: processor (stores: [store])\n' +
        '      --> sink\n' +
        '      <-- source\n' +
        '    Sink: sink (topic: output)\n' +
        '      <-- processor\n' +
        '\n',
    );
  });

  it('splits at a repartition topic and lists bigger branches first, then by name', () => {
    const topology = new Topology()
      .addSource('KSTREAM-SOURCE-0000000000', 'words')
      .addProcessor('KSTREAM-KEY-SELECT-0000000001', noop, 'KSTREAM-SOURCE-0000000000')
      .addProcessor('b-peek', noop, 'KSTREAM-SOURCE-0000000000')
      .addProcessor('a-peek', noop, 'KSTREAM-SOURCE-0000000000')
      .addSink('counts-repartition-sink', 'counts-repartition', {}, 'KSTREAM-KEY-SELECT-0000000001')
      .addSource('counts-repartition-source', 'counts-repartition')
      .addProcessor('counts', noop, 'counts-repartition-source')
      .addStateStore(store('counts-store'), 'counts')
      .addSink('counts-sink', 'counts-output', {}, 'counts');

    const description = topology.describe();
    expect(description.subtopologies.map((s) => s.sourceTopics)).toEqual([['words'], ['counts-repartition']]);
    expect(description.toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [words])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001, a-peek, b-peek\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> counts-repartition-sink\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: a-peek (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: b-peek (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: counts-repartition-sink (topic: counts-repartition)\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: counts-repartition-source (topics: [counts-repartition])\n' +
        '      --> counts\n' +
        '    Processor: counts (stores: [counts-store])\n' +
        '      --> counts-sink\n' +
        '      <-- counts-repartition-source\n' +
        '    Sink: counts-sink (topic: counts-output)\n' +
        '      <-- counts\n' +
        '\n',
    );
  });

  it('keeps two sources in one sub-topology when their processors share a store', () => {
    const topology = new Topology()
      .addSource('left', 'left-topic')
      .addSource('right', 'right-topic')
      .addProcessor('left-join', noop, 'left')
      .addProcessor('right-join', noop, 'right')
      .addStateStore(store('join-store'), 'left-join', 'right-join');
    const [only, ...rest] = topology.describe().subtopologies;
    expect(rest).toEqual([]);
    expect(only?.sourceTopics).toEqual(['left-topic', 'right-topic']);
    expect(only?.stores).toEqual(['join-store']);
  });

  it('prints a pattern source the way Kafka Streams does', () => {
    const topology = new Topology().addSource('events', /orders-.*/).addProcessor('p', noop, 'events');
    expect(topology.describe().toString()).toContain('    Source: events (topic pattern: orders-.*)\n');
  });

  it('draws a Mermaid flowchart with topics, nodes, stores and sub-topologies', () => {
    const topology = new Topology()
      .addSource('source', 'input')
      .addProcessor('count', noop, 'source')
      .addStateStore(store('count-store'), 'count')
      .addSink('sink', 'output', {}, 'count');
    expect(topology.describe().toMermaid()).toBe(
      [
        'flowchart TD',
        '  subgraph sub_0 ["Sub-topology 0"]',
        '    node_source(["source"])',
        '    node_count["count"]',
        '    node_sink(["sink"])',
        '    store_count_store[("count-store")]',
        '  end',
        '  topic_input[/"input"/]',
        '  topic_output[/"output"/]',
        '  node_source --> node_count',
        '  topic_input --> node_source',
        '  node_count --> node_sink',
        '  node_count -.- store_count_store',
        '  node_sink --> topic_output',
        '',
      ].join('\n'),
    );
  });
});

describe('Topology validation', () => {
  it('refuses duplicate names, unknown parents, sinks as parents and unknown stores, naming them', () => {
    const topology = new Topology().addSource('s', 'in').addSink('out', 'out-topic', {}, 's');
    expect(() => topology.addSource('s', 'other')).toThrow(/A node named "s" already exists/);
    expect(() => topology.addProcessor('p', noop, 'missing')).toThrow(/Parent "missing" of node "p" does not exist/);
    expect(() => topology.addProcessor('p', noop, 'out')).toThrow(/Sink "out" cannot be the parent of "p"/);
    expect(() => topology.addSource('s2', 'in')).toThrow(/Topic "in" is read by both source "s" and source "s2"/);
    expect(() => topology.connectProcessorAndStateStores(['out', 'x'])).toThrow(/no processor has that name/);
    topology.addProcessor('p', noop, 's');
    expect(() => topology.connectProcessorAndStateStores(['p', 'x'])).toThrow(/No state store named "x"/);
  });
});

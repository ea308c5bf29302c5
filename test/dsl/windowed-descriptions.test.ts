import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KGroupedStream } from '../../src/dsl/types.ts';
import { SessionWindows } from '../../src/dsl/windows/session-windows.ts';
import { Suppressed } from '../../src/dsl/windows/suppressed.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

/*
 * Windowed DSL programs from Kafka Streams' own tests, compared with the text Kafka Streams prints for them
 * (apache/kafka streams/src/test/java/org/apache/kafka/streams/TopologyTest.java and
 * kstream/internals/SuppressTopologyTest.java).
 */
const windowings = [
  ['timeWindow', (grouped: KGroupedStream<unknown, unknown>) => grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1))],
  [
    'sessionWindow',
    (grouped: KGroupedStream<unknown, unknown>) => grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)),
  ],
] as const;

function singleAggregate(aggregate: string, store: string): string {
  return (
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
    `      --> ${aggregate}\n` +
    `    Processor: ${aggregate} (stores: [${store}])\n` +
    '      --> none\n' +
    '      <-- KSTREAM-SOURCE-0000000000\n\n'
  );
}

describe('describe() of windowed aggregations matches Kafka Streams', () => {
  it.each(windowings)('%sZeroArgCountShouldPreserveTopologyStructure', (_name, windowed) => {
    const builder = new StreamsBuilder();
    windowed(builder.stream('input-topic').groupByKey()).count();
    expect(builder.build().describe().toString()).toBe(
      singleAggregate('KSTREAM-AGGREGATE-0000000002', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001'),
    );
  });

  it.each(windowings)('%sNamedMaterializedCountShouldPreserveTopologyStructure', (_name, windowed) => {
    const builder = new StreamsBuilder();
    windowed(builder.stream('input-topic').groupByKey()).count({ storeName: 'count-store' });
    expect(builder.build().describe().toString()).toBe(singleAggregate('KSTREAM-AGGREGATE-0000000001', 'count-store'));
  });

  it.each(windowings)('%sAnonymousMaterializedCountShouldPreserveTopologyStructure', (_name, windowed) => {
    const builder = new StreamsBuilder();
    windowed(builder.stream('input-topic').groupByKey()).count({ valueSerde: Serdes.long() });
    expect(builder.build().describe().toString()).toBe(
      singleAggregate('KSTREAM-AGGREGATE-0000000003', 'KSTREAM-AGGREGATE-STATE-STORE-0000000002'),
    );
  });

  const str = Serdes.string();
  function finalSuppression(suppressed: Suppressed): string {
    const builder = new StreamsBuilder();
    builder
      .stream('input', { keySerde: str, valueSerde: str })
      .groupBy((k) => k, { keySerde: str, valueSerde: str })
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 5))
      .count({ storeName: 'counts', caching: false })
      .suppress(suppressed)
      .toStream()
      .map((k, v) => ({ key: `${k.key}`, value: v }))
      .to('output-suppressed', { keySerde: str, valueSerde: Serdes.long() });
    return builder.build().describe().toString();
  }

  const repartition =
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
    '      --> KSTREAM-KEY-SELECT-0000000001\n' +
    '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
    '      --> counts-repartition-filter\n' +
    '      <-- KSTREAM-SOURCE-0000000000\n' +
    '    Processor: counts-repartition-filter (stores: [])\n' +
    '      --> counts-repartition-sink\n' +
    '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
    '    Sink: counts-repartition-sink (topic: counts-repartition)\n' +
    '      <-- counts-repartition-filter\n' +
    '\n' +
    '  Sub-topology: 1\n' +
    '    Source: counts-repartition-source (topics: [counts-repartition])\n' +
    '      --> KSTREAM-AGGREGATE-0000000002\n';

  it('untilWindowCloses without a name (SuppressTopologyTest.shouldUseNumberingForAnonymousFinalSuppressionNode)', () => {
    expect(finalSuppression(Suppressed.untilWindowCloses())).toBe(
      repartition +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n' +
        '      --> KTABLE-SUPPRESS-0000000006\n' +
        '      <-- counts-repartition-source\n' +
        '    Processor: KTABLE-SUPPRESS-0000000006 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000007])\n' +
        '      --> KTABLE-TOSTREAM-0000000008\n' +
        '      <-- KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])\n' +
        '      --> KSTREAM-MAP-0000000009\n' +
        '      <-- KTABLE-SUPPRESS-0000000006\n' +
        '    Processor: KSTREAM-MAP-0000000009 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000010\n' +
        '      <-- KTABLE-TOSTREAM-0000000008\n' +
        '    Sink: KSTREAM-SINK-0000000010 (topic: output-suppressed)\n' +
        '      <-- KSTREAM-MAP-0000000009\n' +
        '\n',
    );
  });

  it('untilWindowCloses with a name (SuppressTopologyTest.shouldApplyNameToFinalSuppressionNode)', () => {
    expect(finalSuppression(Suppressed.untilWindowCloses({}, 'myname'))).toBe(
      repartition +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n' +
        '      --> myname\n' +
        '      <-- counts-repartition-source\n' +
        '    Processor: myname (stores: [myname-store])\n' +
        '      --> KTABLE-TOSTREAM-0000000006\n' +
        '      <-- KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KTABLE-TOSTREAM-0000000006 (stores: [])\n' +
        '      --> KSTREAM-MAP-0000000007\n' +
        '      <-- myname\n' +
        '    Processor: KSTREAM-MAP-0000000007 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000008\n' +
        '      <-- KTABLE-TOSTREAM-0000000006\n' +
        '    Sink: KSTREAM-SINK-0000000008 (topic: output-suppressed)\n' +
        '      <-- KSTREAM-MAP-0000000007\n' +
        '\n',
    );
  });
});

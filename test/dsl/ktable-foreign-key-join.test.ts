import { afterEach, describe, expect, it } from 'vitest';
import { subscriptionResponseWrapperSerde } from '../../src/dsl/operators/foreign-key/subscription-response-wrapper.ts';
import { subscriptionWrapperSerde } from '../../src/dsl/operators/foreign-key/subscription-wrapper.ts';
import { valueHash } from '../../src/dsl/operators/foreign-key/value-hash.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KTable } from '../../src/dsl/types.ts';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** Left values are `<payload>|<foreign key>`, as in Kafka Streams' own foreign-key join tests. */
const foreignKeyOf = (value: string) => value.split('|')[1] ?? null;
const joined = (left: string, right: string | null) => `(${left},${right})`;
const RESPONSE_TOPIC = 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic';

function run(build: (left: KTable<string, string>, right: KTable<string, string>) => KTable<string, string>) {
  const builder = new StreamsBuilder();
  const left = builder.table('left', { keySerde: str, valueSerde: str });
  const right = builder.table('right', { keySerde: str, valueSerde: str });
  build(left, right).toStream().to('out');
  const topology = builder.build();
  driver = stringDriver(topology);
  return {
    topology,
    driver,
    left: driver.createInputTopic<string, string | null>('left', str, str),
    right: driver.createInputTopic<string, string | null>('right', str, str),
    out: driver.createOutputTopic('out', str, str),
  };
}

describe('KTable-KTable foreign-key join', () => {
  // Kafka Streams' text (KStreamImplTest.shouldSupportForeignKeyTableTableJoinWithKTableFromKStream), with
  // builder.table sources in place of toTable(): the same indexes, topics, stores and connections (the
  // table-source nodes' names sort differently from KSTREAM-TOTABLE-, which moves two of them).
  it('describes itself with Kafka Streams names, topics and sub-topologies', () => {
    const { topology } = run((l, r) => l.join(r, foreignKeyOf, joined));
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KTABLE-SOURCE-0000000016 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [left])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [left-STATE-STORE-0000000000])\n' +
        '      --> KTABLE-FK-JOIN-OUTPUT-0000000018\n' +
        '      <-- KTABLE-SOURCE-0000000016\n' +
        '    Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000020\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [left-STATE-STORE-0000000000])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])\n' +
        '      --> KTABLE-SINK-0000000008\n' +
        '      <-- KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-TOSTREAM-0000000020 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000021\n' +
        '      <-- KTABLE-FK-JOIN-OUTPUT-0000000018\n' +
        '    Sink: KSTREAM-SINK-0000000021 (topic: out)\n' +
        '      <-- KTABLE-TOSTREAM-0000000020\n' +
        '    Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000004 (topics: [right])\n' +
        '      --> KTABLE-SOURCE-0000000005\n' +
        '    Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012\n' +
        '      <-- KTABLE-SOURCE-0000000009\n' +
        '    Processor: KTABLE-SOURCE-0000000005 (stores: [right-STATE-STORE-0000000003])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013\n' +
        '      <-- KSTREAM-SOURCE-0000000004\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [right-STATE-STORE-0000000003])\n' +
        '      --> KTABLE-SINK-0000000015\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])\n' +
        '      --> KTABLE-SINK-0000000015\n' +
        '      <-- KTABLE-SOURCE-0000000005\n' +
        '    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012, KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013\n\n',
    );
    expect(topology.internalTopics().map((t) => t.name)).toEqual([
      'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
      'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic',
    ]);
  });

  it('names topics, stores and nodes after Named', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', { keySerde: str, valueSerde: str });
    const right = builder.table('right', { keySerde: str, valueSerde: str });
    left.join(right, foreignKeyOf, joined, { name: 'orders-customers' }, { storeName: 'enriched' });
    const topology = builder.build({ requireNames: false });
    expect(topology.internalTopics().map((t) => t.name)).toEqual([
      'orders-customers-subscription-registration-topic',
      'orders-customers-subscription-response-topic',
    ]);
    expect(topology.storeBuilder('orders-customers-subscription-store')).toBeDefined();
    expect(topology.node('orders-customers-result')).toMatchObject({ stores: ['enriched'] });
  });

  it('inner: joins left rows with the row their foreign key names; a deleted left row deletes its result', () => {
    const { left, right, out } = run((l, r) => l.join(r, foreignKeyOf, joined));
    right.pipeInput('rhs1', 'rhsValue1');
    right.pipeInput('rhs2', 'rhsValue2');
    right.pipeInput('rhs3', 'rhsValue3');
    expect(out.isEmpty()).toBe(true);
    left.pipeInput('lhs1', 'lhsValue1|rhs1');
    left.pipeInput('lhs2', 'lhsValue2|rhs2');
    left.pipeInput('lhs3', 'lhsValue3|rhs1');
    left.pipeInput('lhs4', 'lhsValue4|missing');
    left.pipeInput('lhs1', null);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'lhs1', value: '(lhsValue1|rhs1,rhsValue1)' },
      { key: 'lhs2', value: '(lhsValue2|rhs2,rhsValue2)' },
      { key: 'lhs3', value: '(lhsValue3|rhs1,rhsValue1)' },
      { key: 'lhs1', value: null },
    ]);
  });

  it('a right-side update reaches every left row that references it, and a right tombstone deletes them', () => {
    const { left, right, out } = run((l, r) => l.join(r, foreignKeyOf, joined));
    left.pipeInput('a', 'A|x');
    left.pipeInput('b', 'B|x');
    left.pipeInput('c', 'C|y');
    expect(out.isEmpty()).toBe(true);
    right.pipeInput('x', 'X1');
    right.pipeInput('x', 'X2');
    right.pipeInput('x', null);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: '(A|x,X1)' },
      { key: 'b', value: '(B|x,X1)' },
      { key: 'a', value: '(A|x,X2)' },
      { key: 'b', value: '(B|x,X2)' },
      { key: 'a', value: null },
      { key: 'b', value: null },
    ]);
  });

  it('a changed foreign key moves the left row to the new right row and unsubscribes it from the old one', () => {
    const { left, right, out } = run((l, r) => l.join(r, foreignKeyOf, joined));
    right.pipeInput('x', 'X');
    right.pipeInput('y', 'Y');
    left.pipeInput('a', 'A|x');
    left.pipeInput('a', 'A|y');
    right.pipeInput('x', 'X-again');
    right.pipeInput('y', 'Y2');
    left.pipeInput('a', 'A|none');
    right.pipeInput('y', 'Y3');
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: '(A|x,X)' },
      { key: 'a', value: '(A|y,Y)' },
      { key: 'a', value: '(A|y,Y2)' },
      // The new key has no row: the old result is deleted.
      { key: 'a', value: null },
    ]);
  });

  it('left: a row whose foreign key has no match (or is null) joins with null until the match appears', () => {
    const { left, right, out } = run((l, r) => l.leftJoin(r, foreignKeyOf, joined));
    left.pipeInput('a', 'A|x');
    left.pipeInput('n', 'no-foreign-key');
    right.pipeInput('x', 'X');
    right.pipeInput('x', null);
    left.pipeInput('a', null);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: '(A|x,null)' },
      { key: 'n', value: '(no-foreign-key,null)' },
      { key: 'a', value: '(A|x,X)' },
      { key: 'a', value: '(A|x,null)' },
      // As in Kafka Streams: one answer to unsubscribing from x, one to the null foreign key.
      { key: 'a', value: null },
      { key: 'a', value: null },
    ]);
  });

  it('inner: rows without a foreign key are dropped and counted', () => {
    const { left, out, driver } = run((l, r) => l.join(r, foreignKeyOf, joined));
    left.pipeInput('n', 'no-foreign-key');
    expect(out.isEmpty()).toBe(true);
    expect(driver.droppedRecords().nullKey).toBe(1);
  });

  it('joins an unmaterialized mapValues table, reading the source store through its getter', () => {
    const { topology, left, right, out } = run((l, r) =>
      l.join(
        r.mapValues((v) => v.toUpperCase(), undefined, { valueSerde: str }),
        foreignKeyOf,
        joined,
      ),
    );
    expect(topology.describe().toString()).toMatch(
      /Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-\d+ \(stores: \[right-STATE-STORE-0000000003\]\)/,
    );
    right.pipeInput('x', 'big');
    left.pipeInput('a', 'A|x');
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: '(A|x,BIG)' }]);
  });

  it('discards a response whose hash no longer matches the left row (stale), applies a current one', () => {
    const { driver, left, right, out } = run((l, r) => l.join(r, foreignKeyOf, joined));
    right.pipeInput('x', 'X');
    left.pipeInput('a', 'A|x');
    left.pipeInput('a', 'A2|x');
    expect(out.readValuesToList()).toEqual(['(A|x,X)', '(A2|x,X)']);

    const responses = subscriptionResponseWrapperSerde(str);
    const respond = (leftValue: string, foreignValue: string) =>
      driver.pipeRaw({
        topic: RESPONSE_TOPIC,
        key: str.serialize(RESPONSE_TOPIC, 'a'),
        value: responses.serialize(RESPONSE_TOPIC, {
          hash: valueHash(str, 'any', leftValue),
          foreignValue,
          primaryPartition: 0,
        }),
        headers: [],
        timestamp: 5,
      });
    respond('A|x', 'late-answer-for-the-old-value');
    expect(out.isEmpty()).toBe(true);
    respond('A2|x', 'X-current');
    expect(out.readValuesToList()).toEqual(['(A2|x,X-current)']);
  });

  it('converges on the final join when the caches hold updates back until commit', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', { keySerde: str, valueSerde: str });
    const right = builder.table('right', { keySerde: str, valueSerde: str });
    left.join(right, foreignKeyOf, joined).toStream().to('out');
    driver = new TopologyTestDriver(builder.build(), { commitEveryRecord: false, initialWallClockTimeMs: 0 });
    const lefts = driver.createInputTopic<string, string | null>('left', str, str);
    const rights = driver.createInputTopic<string, string | null>('right', str, str);
    rights.pipeInput('x', 'X0');
    lefts.pipeInput('a', 'A|x');
    lefts.pipeInput('b', 'B|y');
    rights.pipeInput('x', 'X1');
    driver.commit();
    rights.pipeInput('y', 'Y');
    lefts.pipeInput('a', 'A2|y');
    lefts.pipeInput('b', null);
    driver.commit();
    const latest = new Map<string | null, string | null>();
    for (const { key, value } of driver.createOutputTopic('out', str, str).readKeyValuesToList())
      latest.set(key, value);
    expect(Object.fromEntries(latest)).toEqual({ a: '(A2|y,Y)', b: null });
  });

  it('refuses to build without the serdes its internal records embed', () => {
    const builder = new StreamsBuilder();
    const left = builder.table<string, string>('left');
    const right = builder.table<string, string>('right', { keySerde: str, valueSerde: str });
    expect(() => left.join(right, foreignKeyOf, joined)).toThrow(/left table's key serde/);
  });
});

describe('foreign-key join wire formats', () => {
  it('round-trip with a leading version byte and refuse unknown versions', () => {
    const subscriptions = subscriptionWrapperSerde(str);
    const wrapper = {
      hash: valueHash(str, 't', 'v'),
      instruction: 'propagate-null-if-no-fk-val-available' as const,
      primaryKey: 'pk',
      primaryPartition: 3,
    };
    const bytes = subscriptions.serialize('t', wrapper)!;
    expect(bytes[0]).toBe(1);
    expect(subscriptions.deserialize('t', bytes)).toEqual(wrapper);
    const deleted = { ...wrapper, hash: null, instruction: 'delete-key-no-propagate' as const };
    expect(subscriptions.deserialize('t', subscriptions.serialize('t', deleted))).toEqual(deleted);
    expect(() => subscriptions.deserialize('t', Buffer.concat([Buffer.of(2), bytes.subarray(1)]))).toThrow(/version 2/);

    const responses = subscriptionResponseWrapperSerde(str);
    const response = { hash: wrapper.hash, foreignValue: null, primaryPartition: 1 };
    const responseBytes = responses.serialize('t', response)!;
    expect(responseBytes[0]).toBe(1);
    expect(responses.deserialize('t', responseBytes)).toEqual(response);
    expect(responses.deserialize('t', responses.serialize('t', { ...response, foreignValue: '' }))).toEqual({
      ...response,
      foreignValue: '',
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KStream } from '../../src/dsl/types.ts';
import { isKStreamsError } from '../../src/errors.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** Builds `in` -> ops -> `out` with string serdes, pipes the pairs, returns what `out` received. */
function run(
  ops: (stream: KStream<string, string>) => KStream<string, string>,
  input: Array<[string, string]>,
): Array<{ key: string | null; value: string | null }> {
  const builder = new StreamsBuilder();
  ops(builder.stream('in', { keySerde: str, valueSerde: str })).to('out');
  driver = stringDriver(builder.build());
  const topic = driver.createInputTopic('in', str, str);
  for (const [key, value] of input) topic.pipeInput(key, value, 1);
  return driver.createOutputTopic('out', str, str).readKeyValuesToList();
}

describe('KStream stateless operators', () => {
  it('filter keeps records whose predicate holds', () => {
    expect(
      run(
        (s) => s.filter((_k, v) => v.startsWith('a')),
        [
          ['1', 'apple'],
          ['2', 'berry'],
          ['3', 'avocado'],
        ],
      ),
    ).toEqual([
      { key: '1', value: 'apple' },
      { key: '3', value: 'avocado' },
    ]);
  });

  it('filterNot keeps records whose predicate fails', () => {
    expect(
      run(
        (s) => s.filterNot((k) => k === '2'),
        [
          ['1', 'a'],
          ['2', 'b'],
        ],
      ),
    ).toEqual([{ key: '1', value: 'a' }]);
  });

  it('map replaces key and value', () => {
    expect(run((s) => s.map((k, v) => ({ key: v, value: k })), [['1', 'a']])).toEqual([{ key: 'a', value: '1' }]);
  });

  it('mapValues gets the value and, second, the key', () => {
    expect(run((s) => s.mapValues((v, k) => `${k}:${v.toUpperCase()}`), [['1', 'a']])).toEqual([
      { key: '1', value: '1:A' },
    ]);
  });

  it('flatMap forwards every pair, in order, and drops a record mapped to none', () => {
    const out = run(
      (s) => s.flatMap((k, v) => [...v].map((c, i) => ({ key: `${k}${i}`, value: c }))),
      [
        ['k', 'xy'],
        ['e', ''],
      ],
    );
    expect(out).toEqual([
      { key: 'k0', value: 'x' },
      { key: 'k1', value: 'y' },
    ]);
  });

  it('flatMapValues forwards every value with the original key', () => {
    expect(run((s) => s.flatMapValues((v) => v.split(' ')), [['1', 'to be']])).toEqual([
      { key: '1', value: 'to' },
      { key: '1', value: 'be' },
    ]);
  });

  it('selectKey replaces the key and keeps the value', () => {
    expect(run((s) => s.selectKey((_k, v) => v[0]!), [['1', 'abc']])).toEqual([{ key: 'a', value: 'abc' }]);
  });

  it('peek sees each record and forwards it unchanged', () => {
    const seen: string[] = [];
    expect(run((s) => s.peek((k, v) => seen.push(`${k}=${v}`)), [['1', 'a']])).toEqual([{ key: '1', value: 'a' }]);
    expect(seen).toEqual(['1=a']);
  });

  it('foreach runs the action and is terminal', () => {
    const builder = new StreamsBuilder();
    const seen: string[] = [];
    builder.stream('in', { keySerde: str, valueSerde: str }).foreach((k, v) => seen.push(`${k}=${v}`));
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: '1', value: 'a' },
      { key: '2', value: 'b' },
    ]);
    expect(seen).toEqual(['1=a', '2=b']);
  });

  it('merge forwards the records of both streams', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', { keySerde: str, valueSerde: str });
    const right = builder.stream('right', { keySerde: str, valueSerde: str }).mapValues((v) => v.toUpperCase());
    left.merge(right).to('out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('left', str, str).pipeInput('l', 'x');
    driver.createInputTopic('right', str, str).pipeInput('r', 'y');
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: 'l', value: 'x' },
      { key: 'r', value: 'Y' },
    ]);
  });

  it('reads several topics or a pattern with one source', () => {
    const builder = new StreamsBuilder();
    builder.stream(['a', 'b'], { keySerde: str, valueSerde: str }).to('ab');
    builder.stream(/^logs-.*/, { keySerde: str, valueSerde: str }).to('logs');
    driver = stringDriver(builder.build());
    driver.createInputTopic('b', str, str).pipeInput('k', 'from-b');
    driver.createInputTopic('logs-eu', str, str).pipeInput('k', 'from-eu');
    expect(driver.createOutputTopic('ab', str, str).readValuesToList()).toEqual(['from-b']);
    expect(driver.createOutputTopic('logs', str, str).readValuesToList()).toEqual(['from-eu']);
  });

  it('to() routes by a topic-name extractor and serializes with Produced serdes', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .mapValues((v) => v.length)
      .to((record) => `len-${record.key}`, { valueSerde: Serdes.long() });
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeInput('x', 'abcd');
    expect(driver.createOutputTopic('len-x', str, Serdes.long()).readKeyValue()).toEqual({ key: 'x', value: 4 });
  });

  it('keeps the input timestamp through stateless operators', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .flatMapValues((v) => [v, v])
      .to('out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeInput('k', 'v', 42);
    expect(
      driver
        .createOutputTopic('out', str, str)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([42, 42]);
  });

  it('fails naming the operator when map returns no key-value pair', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .map(() => null as unknown as { key: string; value: string }, { name: 'to-pair' })
      .to('out');
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('in', str, str);
    let failure: unknown;
    try {
      input.pipeInput('k', 'v');
    } catch (error) {
      failure = error;
    }
    expect(isKStreamsError(failure, 'PROCESSING_FAILED')).toBe(true);
    expect(String((failure as Error).message)).toContain('to-pair');
  });
});

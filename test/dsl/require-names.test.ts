import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

describe('build({ requireNames: true })', () => {
  it('refuses a generated store and repartition topic, naming the operator and the option to pass', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('lines')
      .groupBy((_k, v) => v)
      .count();
    let failure: unknown;
    try {
      builder.build({ requireNames: true });
    } catch (error) {
      failure = error;
    }
    expect(isKStreamsError(failure, 'TOPOLOGY_INVALID')).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain(
      'state store "KSTREAM-AGGREGATE-STATE-STORE-0000000002" of operator "KSTREAM-AGGREGATE-0000000003" (pass Materialized with a storeName)',
    );
    expect(message).toContain(
      'repartition topic "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition" of operator "KSTREAM-AGGREGATE-0000000003"',
    );
    expect(message).toContain('losing its state');
  });

  it('refuses an unnamed repartition() and an unnamed global table store', () => {
    const builder = new StreamsBuilder();
    builder.stream('in').repartition().to('out');
    builder.globalTable('rates');
    expect(() => builder.build({ requireNames: true })).toThrow(
      /repartition topic "KSTREAM-REPARTITION-0000000001-repartition".*Repartitioned.*state store "rates-STATE-STORE-0000000006"/,
    );
  });

  it('builds when every store and internal topic is named', () => {
    const builder = new StreamsBuilder();
    const words = builder.stream('lines', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    words
      .groupBy((_k, v) => v, { name: 'by-word' })
      .count({ storeName: 'counts' })
      .toStream()
      .to('out');
    words.repartition({ name: 'shuffled' }).to('shuffled-out');
    builder.table('users');
    builder.table('profiles', {}, { storeName: 'profiles' }).filter(() => true, undefined, { storeName: 'kept' });
    expect(
      builder
        .build({ requireNames: true })
        .internalTopics()
        .map((t) => t.name),
    ).toEqual(['by-word-repartition', 'shuffled-repartition']);
  });

  it('allows generated names by default', () => {
    const builder = new StreamsBuilder();
    builder.stream('in').groupByKey().count();
    expect(
      builder
        .build()
        .storeBuilders()
        .map((s) => s.name),
    ).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000001']);
  });
});

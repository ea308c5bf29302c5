import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { Producer, ProducerRecord, RecordMetadata } from '../../src/kafka/types.ts';
import { KafkaRecordCollector } from '../../src/runtime/kafka-record-collector.ts';

function fakeProducer(outcome: () => Promise<void>): Producer & { batches: ProducerRecord[][] } {
  const batches: ProducerRecord[][] = [];
  return {
    batches,
    send: async (records) => {
      batches.push([...records]);
      await outcome();
      return records.map((r, i): RecordMetadata => ({ topic: r.topic, partition: r.partition ?? 0, offset: i }));
    },
    beginTransaction: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
}

const out = (topic: string, value: string) => ({
  topic,
  key: Buffer.from('k'),
  value: Buffer.from(value),
  headers: [],
  timestamp: 1,
});

describe('KafkaRecordCollector', () => {
  it('sends each flushed batch in one call, with internal topic names resolved', async () => {
    const producer = fakeProducer(async () => undefined);
    const collector = new KafkaRecordCollector({
      producer,
      realName: (t) => (t === 'agg-repartition' ? 'app-agg-repartition' : t),
      partitionCount: (t) => (t === 'app-agg-repartition' ? 4 : undefined),
    });
    collector.send(out('output', 'a'));
    collector.send({ ...out('agg-repartition', 'b'), partition: 2 });
    expect(producer.batches).toHaveLength(0);
    collector.flush();
    collector.flush();
    expect(producer.batches).toHaveLength(1);
    expect(producer.batches[0]!.map((r) => [r.topic, r.partition])).toEqual([
      ['output', undefined],
      ['app-agg-repartition', 2],
    ]);
    expect(collector.partitionCount('agg-repartition')).toBe(4);
    await collector.acknowledged();
    expect(collector.sent).toBe(2);
  });

  it('refuses a key or value that no serde turned into bytes, naming the topic', () => {
    const collector = new KafkaRecordCollector({
      producer: fakeProducer(async () => undefined),
      realName: (t) => t,
      partitionCount: () => undefined,
    });
    const error = (() => {
      try {
        collector.send({ ...out('words', 'a'), value: 'plain string' as unknown as Buffer });
      } catch (e) {
        return e;
      }
    })();
    expect(isKStreamsError(error, 'SERDE_SERIALIZATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('"words"');
    expect((error as Error).message).toContain('defaultValueSerde');
  });

  it('keeps a send failure and rethrows it until the end', async () => {
    let fail!: (error: Error) => void;
    const producer = fakeProducer(() => new Promise<void>((_, reject) => (fail = reject)));
    const collector = new KafkaRecordCollector({ producer, realName: (t) => t, partitionCount: () => undefined });
    collector.send(out('output', 'a'));
    collector.flush();
    collector.checkFailure();
    fail(new Error('NOT_ENOUGH_REPLICAS'));
    const error = await collector.acknowledged().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'KAFKA_PRODUCE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('NOT_ENOUGH_REPLICAS');
    expect(() => collector.checkFailure()).toThrow('NOT_ENOUGH_REPLICAS');
  });

  it('awaits sends that start while it waits', async () => {
    const producer = fakeProducer(() => new Promise((resolve) => setTimeout(resolve, 5)));
    const collector = new KafkaRecordCollector({ producer, realName: (t) => t, partitionCount: () => undefined });
    collector.send(out('output', 'a'));
    collector.flush();
    collector.send(out('output', 'b'));
    await collector.acknowledged();
    expect(producer.batches.flat().map((r) => r.value?.toString())).toEqual(['a', 'b']);
  });

  it('drops refused records with a log line under the log-and-continue production policy', async () => {
    const producer = fakeProducer(() => Promise.reject(new Error('MESSAGE_TOO_LARGE')));
    const warnings: Array<Readonly<Record<string, unknown>> | undefined> = [];
    const collector = new KafkaRecordCollector({
      producer,
      realName: (t) => t,
      partitionCount: () => undefined,
      productionPolicy: 'log-and-continue',
      logger: { debug: () => {}, info: () => {}, error: () => {}, warn: (_m, fields) => void warnings.push(fields) },
    });
    collector.send(out('output', 'a'));
    collector.send(out('output', 'b'));
    await collector.acknowledged();
    expect(collector.dropped).toBe(2);
    expect(warnings).toEqual([{ records: 2, topics: 'output', error: 'MESSAGE_TOO_LARGE' }]);
  });

  it('makes the loop wait while too many sends are unacknowledged', async () => {
    const pending: Array<() => void> = [];
    const producer = fakeProducer(() => new Promise<void>((resolve) => pending.push(resolve)));
    const collector = new KafkaRecordCollector({
      producer,
      realName: (t) => t,
      partitionCount: () => undefined,
      maxInFlightSends: 2,
    });
    for (const value of ['a', 'b']) {
      collector.send(out('output', value));
      collector.flush();
    }
    let released = false;
    const throttled = collector.throttle().then(() => {
      released = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(false);
    pending.shift()!();
    await throttled;
    expect(released).toBe(true);
    pending.shift()!();
    await collector.acknowledged();
  });

  it('hands a large flush to the producer in several sends of at most maxRecordsPerSend records', async () => {
    const producer = fakeProducer(async () => undefined);
    const collector = new KafkaRecordCollector({
      producer,
      realName: (t) => t,
      partitionCount: () => undefined,
      maxRecordsPerSend: 2,
    });
    for (const value of ['a', 'b', 'c', 'd', 'e']) collector.send(out('output', value));
    collector.flush();
    expect(producer.batches.map((batch) => batch.map((r) => r.value?.toString()))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    await collector.acknowledged();
    expect(collector.sent).toBe(5);
  });

  it('drain sends what is buffered and waits until at most the given number of records are unacknowledged', async () => {
    const pending: Array<() => void> = [];
    const producer = fakeProducer(() => new Promise<void>((resolve) => pending.push(resolve)));
    const collector = new KafkaRecordCollector({
      producer,
      realName: (t) => t,
      partitionCount: () => undefined,
      maxRecordsPerSend: 2,
    });
    for (const value of ['a', 'b', 'c', 'd']) collector.send(out('output', value));
    let drained = false;
    const draining = collector.drain(2).then(() => {
      drained = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.batches).toHaveLength(2);
    expect(drained).toBe(false);
    pending.shift()!();
    await draining;
    expect(drained).toBe(true);
    // Two records still in flight: within the bound, so nothing to wait for.
    await collector.drain(2);
    pending.shift()!();
    await collector.acknowledged();
  });

  it('learns the last acknowledged offset of each changelog partition, and forgets it on request', async () => {
    const producer = fakeProducer(async () => undefined);
    const collector = new KafkaRecordCollector({ producer, realName: (t) => t, partitionCount: () => undefined });
    const change = (value: string) => ({ ...out('app-counts-changelog', value), partition: 1 });
    collector.send(out('output', 'x'));
    collector.sendChangelog(change('a'));
    collector.sendChangelog(change('b'));
    expect(collector.lastChangelogOffset('app-counts-changelog', 1)).toBeUndefined();
    await collector.acknowledged();
    // The fake producer gives each record its index in the batch as offset: the changelog's are 1 and 2.
    expect(collector.lastChangelogOffset('app-counts-changelog', 1)).toBe(2);
    expect(collector.lastChangelogOffset('output', 0)).toBeUndefined();
    collector.forgetChangelogOffsets([{ topic: 'app-counts-changelog', partition: 1 }]);
    expect(collector.lastChangelogOffset('app-counts-changelog', 1)).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { deadLetterHeaders } from '../../src/runtime/error-policies.ts';
import { KafkaStreams, type UncaughtErrorContext } from '../../src/runtime/kafka-streams.ts';
import type { StreamsConfig } from '../../src/runtime/streams-config.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';
import { lineFor, wordSplitTopology, wordsOf } from './support/word-split-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];

function line(topic: string, id: number) {
  return { topic, partition: 0, key: Buffer.from('same-key'), value: Buffer.from(JSON.stringify(lineFor(id))) };
}

function poison(topic: string) {
  return { topic, partition: 0, key: Buffer.from('same-key'), value: Buffer.from('{"id": 1, "text": "unterminated') };
}

describe.each(adapters)('a poison record on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  const apps: KafkaStreams[] = [];

  function app(input: string, output: string, extra: Partial<StreamsConfig>) {
    const streams = new KafkaStreams(
      wordSplitTopology(input, output),
      testStreamsConfig(adapter, uniqueName(`${adapter}-poison`), { ...extra }),
    );
    apps.push(streams);
    return streams;
  }

  beforeAll(() => {
    cluster = new Cluster();
  });

  afterAll(async () => {
    for (const streams of apps) await streams.close({ timeoutMs: 10_000 });
    await cluster.close();
  });

  it('goes to the dead-letter topic with the error headers, and processing goes on', async () => {
    const input = await cluster.createTopic(`${adapter}-lines`, 2);
    const output = await cluster.createTopic(`${adapter}-words`, 2);
    const dlq = await cluster.createTopic(`${adapter}-dlq`, 1);
    await cluster.produce([line(input, 0), poison(input), line(input, 2)]);
    const streams = app(input, output, {
      errorHandling: { deserialization: 'dead-letter', deadLetterTopic: dlq },
    });
    await streams.start();

    const words = await cluster.readUntil(output, (r) => r.length >= 4);
    expect(words.map((r) => text(r.value))).toEqual([...wordsOf(0), ...wordsOf(2)]);
    const [dead, ...more] = await cluster.readUntil(dlq, (r) => r.length >= 1);
    expect(more).toEqual([]);
    expect(text(dead!.value)).toBe('{"id": 1, "text": "unterminated');
    expect(text(dead!.key)).toBe('same-key');
    const headers = Object.fromEntries(dead!.headers.map((h) => [h.key, text(h.value)]));
    expect(headers).toMatchObject({
      [deadLetterHeaders.errorCode]: 'SERDE_DESERIALIZATION_FAILED',
      [deadLetterHeaders.errorStage]: 'deserialization',
      [deadLetterHeaders.topic]: input,
      [deadLetterHeaders.partition]: '0',
      [deadLetterHeaders.offset]: '1',
    });
    expect(headers[deadLetterHeaders.errorMessage]).toContain(input);
    expect(streams.state).toBe('RUNNING');
    expect(
      await eventually(async () => (await cluster.committed(streams.config.applicationId, input)).get(0) === 3),
    ).toBe(true);
    expect(streams.counters()).toMatchObject({ recordsProcessed: 2, recordsDeadLettered: 1, recordsSkipped: 0 });
    expect(streams.counters().recordsProduced).toBe(words.length + 1);
    expect(await streams.close()).toBe(true);
  });

  it("with 'fail' stops in ERROR without committing the poison record's offset", async () => {
    const input = await cluster.createTopic(`${adapter}-lines`, 2);
    const output = await cluster.createTopic(`${adapter}-words`, 2);
    const streams = app(input, output, {});
    const errors: { error: unknown; context: UncaughtErrorContext }[] = [];
    streams.onUncaughtError((error, context) => errors.push({ error, context }));
    const states: string[] = [];
    streams.onStateChange((next) => states.push(next));
    await streams.start();
    await cluster.produce([line(input, 0)]);
    const applicationId = streams.config.applicationId;
    expect(await eventually(async () => (await cluster.committed(applicationId, input)).get(0) === 1)).toBe(true);

    await cluster.produce([poison(input), line(input, 2)]);
    await waitForState(streams, 'ERROR');
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_ERROR', 'ERROR']);
    expect(errors).toHaveLength(1);
    expect(isKStreamsError(errors[0]!.error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(errors[0]!.context).toMatchObject({ task: '0_0', topic: input, partition: 0, offset: 1 });
    expect((await cluster.committed(applicationId, input)).get(0)).toBe(1);
    const words = await cluster.readUntil(output, (r) => r.length >= 2);
    expect(words.map((r) => text(r.value))).toEqual(wordsOf(0));
    expect(await streams.close()).toBe(true);
    expect(streams.state).toBe('ERROR');
  });
});

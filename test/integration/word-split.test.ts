import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { StreamsConfig } from '../../src/runtime/streams-config.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';
import { lineFor, wordSplitTopology, wordsOf } from './support/word-split-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];

function lines(from: number, to: number, topic: string) {
  return Array.from({ length: to - from }, (_, i) => ({
    topic,
    key: Buffer.from(`key-${from + i}`),
    value: Buffer.from(JSON.stringify(lineFor(from + i))),
  }));
}

function missingWords(outputs: readonly string[], from: number, to: number): string[] {
  const seen = new Set(outputs);
  const missing: string[] = [];
  for (let id = from; id < to; id++) for (const word of wordsOf(id)) if (!seen.has(word)) missing.push(word);
  return missing;
}

describe.each(adapters)('KafkaStreams word split on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  const apps: KafkaStreams[] = [];

  function app(applicationId: string, input: string, output: string, extra: Partial<StreamsConfig> = {}) {
    const streams = new KafkaStreams(
      wordSplitTopology(input, output),
      testStreamsConfig(adapter, applicationId, { commitIntervalMs: 200, ...extra }),
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

  it('splits every line of a multi-partition topic, commits, and does not reprocess on a second run', async () => {
    const input = await cluster.createTopic(`${adapter}-lines`, 4);
    const output = await cluster.createTopic(`${adapter}-words`, 4);
    const applicationId = uniqueName(`${adapter}-word-split`);
    await cluster.produce(lines(0, 400, input));

    const first = app(applicationId, input, output);
    const states: string[] = [];
    first.onStateChange((next) => states.push(next));
    await first.start();
    await waitForState(first, 'RUNNING');
    expect(first.tasks()).toHaveLength(4);
    const words = await cluster.readUntil(output, (r) => r.length >= 800);
    expect(
      missingWords(
        words.map((r) => text(r.value)),
        0,
        400,
      ),
    ).toEqual([]);
    expect(await first.close()).toBe(true);
    expect(first.state).toBe('NOT_RUNNING');
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    expect(await cluster.committed(applicationId, input)).toEqual(await cluster.endOffsets(input));

    const second = app(applicationId, input, output);
    await second.start();
    await waitForState(second, 'RUNNING');
    await cluster.produce(lines(400, 401, input));
    const after = await cluster.readUntil(
      output,
      (r) =>
        missingWords(
          r.map((w) => text(w.value)),
          400,
          401,
        ).length === 0,
    );
    expect(
      missingWords(
        after.map((r) => text(r.value)),
        400,
        401,
      ),
    ).toEqual([]);
    expect(after).toHaveLength(802);
    expect(await second.close()).toBe(true);
  });

  it('splits the tasks between two instances and moves them when one closes, losing no input', async () => {
    const input = await cluster.createTopic(`${adapter}-lines`, 6);
    const output = await cluster.createTopic(`${adapter}-words`, 6);
    const applicationId = uniqueName(`${adapter}-two-instances`);
    const one = app(applicationId, input, output);
    const two = app(applicationId, input, output);
    await one.start();
    await waitForState(one, 'RUNNING');
    expect(one.tasks()).toHaveLength(6);
    await two.start();
    const split = await eventually(
      () => one.state === 'RUNNING' && two.state === 'RUNNING' && one.tasks().length === 3 && two.tasks().length === 3,
      25_000,
    );
    expect(split).toBe(true);
    const taskNames = [...one.tasks(), ...two.tasks()].map((t) => `${t.subtopology}_${t.partition}`).sort();
    expect(taskNames).toEqual(['0_0', '0_1', '0_2', '0_3', '0_4', '0_5']);

    await cluster.produce(lines(0, 300, input));
    const firstHalf = await cluster.readUntil(
      output,
      (r) =>
        missingWords(
          r.map((w) => text(w.value)),
          0,
          300,
        ).length === 0,
    );
    expect(
      missingWords(
        firstHalf.map((r) => text(r.value)),
        0,
        300,
      ),
    ).toEqual([]);

    await cluster.produce(lines(300, 450, input));
    expect(await one.close()).toBe(true);
    expect(await eventually(() => two.state === 'RUNNING' && two.tasks().length === 6, 25_000)).toBe(true);
    await cluster.produce(lines(450, 600, input));
    const all = await cluster.readUntil(
      output,
      (r) =>
        missingWords(
          r.map((w) => text(w.value)),
          0,
          600,
        ).length === 0,
    );
    expect(
      missingWords(
        all.map((r) => text(r.value)),
        0,
        600,
      ),
    ).toEqual([]);
    expect(await two.close()).toBe(true);
    expect(await cluster.committed(applicationId, input)).toEqual(await cluster.endOffsets(input));
  });
});

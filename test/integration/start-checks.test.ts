import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { Topology } from '../../src/processor/topology.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { stringSerde } from '../../src/serdes/string-serde.ts';
import { Cluster, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';
import { wordSplitTopology } from './support/word-split-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const strings = { keyDeserializer: stringSerde(), valueDeserializer: stringSerde() };
const stringSink = { keySerializer: stringSerde(), valueSerializer: stringSerde() };

describe.each(adapters)('KafkaStreams start checks on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  const apps: KafkaStreams[] = [];

  function app(topology: Topology, applicationId = uniqueName(`${adapter}-checks`)) {
    const streams = new KafkaStreams(topology, testStreamsConfig(adapter, applicationId));
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

  it('refuses to start when a source topic is missing, naming it, and ends in ERROR', async () => {
    const output = await cluster.createTopic(`${adapter}-out`, 1);
    const missing = uniqueName('no-such-topic');
    const streams = app(wordSplitTopology(missing, output));
    const error = await streams.start().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'KAFKA_TOPIC_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain(`"${missing}"`);
    expect((error as Error).message).toContain('Create the topic');
    expect(streams.state).toBe('ERROR');
  });

  it('refuses sources of one sub-topology that are not co-partitioned, naming both and their counts', async () => {
    const left = await cluster.createTopic(`${adapter}-left`, 2);
    const right = await cluster.createTopic(`${adapter}-right`, 3);
    const output = await cluster.createTopic(`${adapter}-out`, 1);
    const topology = new Topology()
      .addSource('both', [left, right], strings)
      .addSink('out', output, stringSink, 'both');
    const error = await app(topology)
      .start()
      .catch((e: unknown) => e);
    expect(isKStreamsError(error, 'TOPOLOGY_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`"${left}" (2 partitions)`);
    expect((error as Error).message).toContain(`"${right}" (3 partitions)`);
  });

  it('creates internal topics named <applicationId>-<name> with the upstream partition count and runs through them', async () => {
    const input = await cluster.createTopic(`${adapter}-in`, 3);
    const output = await cluster.createTopic(`${adapter}-out`, 1);
    const applicationId = uniqueName(`${adapter}-repartition`);
    const internal = `${applicationId}-by-value-repartition`;
    cluster.forget([internal]);
    const topology = new Topology()
      .addSource('in', input, strings)
      .addProcessor<string, string, string, string>(
        'swap',
        () => {
          let forward: (record: { key: string; value: string; timestamp: number; headers: [] }) => void;
          return {
            init: (context) => {
              forward = (record) => context.forward(record);
            },
            process: (record) =>
              forward({ key: record.value, value: record.key, timestamp: record.timestamp, headers: [] }),
          };
        },
        'in',
      )
      .addInternalTopic('by-value-repartition', { kind: 'repartition' })
      .addSink('to-repartition', 'by-value-repartition', stringSink, 'swap')
      .addSource('from-repartition', 'by-value-repartition', strings)
      .addSink('out', output, stringSink, 'from-repartition');
    const streams = app(topology, applicationId);
    await streams.start();
    const [description] = await cluster.admin.describeTopics([internal]);
    expect(description?.partitions).toBe(3);
    await waitForState(streams, 'RUNNING');
    expect(streams.tasks()).toHaveLength(6);
    await cluster.produce(
      ['a', 'b', 'c', 'd'].map((key) => ({ topic: input, key: Buffer.from(key), value: Buffer.from(`v-${key}`) })),
    );
    const out = await cluster.readUntil(output, (r) => r.length >= 4);
    expect(out.map((r) => `${text(r.key)}=${text(r.value)}`).sort()).toEqual(['v-a=a', 'v-b=b', 'v-c=c', 'v-d=d']);
    expect(await streams.close()).toBe(true);
  });
});

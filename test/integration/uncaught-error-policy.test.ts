import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import type { ProcessorContext } from '../../src/processor/processor-context.ts';
import { Topology } from '../../src/processor/topology.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { stringSerde } from '../../src/serdes/string-serde.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const strings = { keyDeserializer: stringSerde(), valueDeserializer: stringSerde() };
const stringSink = { keySerializer: stringSerde(), valueSerializer: stringSerde() };

/** Passes records through, but throws the first time it sees the value "flaky" (in this process). */
function flakyTopology(input: string, output: string, failures: { left: number }): Topology {
  return new Topology()
    .addSource('in', input, strings)
    .addProcessor<string, string, string, string>(
      'flaky',
      () => {
        let context: ProcessorContext<string, string>;
        return {
          init: (c) => {
            context = c;
          },
          process: (record) => {
            if (record.value === 'flaky' && failures.left > 0) {
              failures.left--;
              throw new Error('transient failure');
            }
            context.forward(record);
          },
        };
      },
      'in',
    )
    .addSink('out', output, stringSink, 'flaky');
}

describe.each(adapters)('uncaught error policies on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  const apps: KafkaStreams[] = [];

  beforeAll(() => {
    cluster = new Cluster();
  });

  afterAll(async () => {
    for (const streams of apps) await streams.close({ timeoutMs: 10_000 });
    await cluster.close();
  });

  it('replace-thread drops the failed batch uncommitted, starts a new poll loop and reprocesses it', async () => {
    const input = await cluster.createTopic(`${adapter}-in`, 2);
    const output = await cluster.createTopic(`${adapter}-out`, 2);
    const streams = new KafkaStreams(
      flakyTopology(input, output, { left: 1 }),
      testStreamsConfig(adapter, uniqueName(`${adapter}-replace`), { uncaughtErrorPolicy: 'replace-thread' }),
    );
    apps.push(streams);
    const errors: unknown[] = [];
    streams.onUncaughtError((error) => errors.push(error));
    const states: string[] = [];
    streams.onStateChange((next) => states.push(next));
    await streams.start();
    await waitForState(streams, 'RUNNING');
    await cluster.produce(
      ['one', 'flaky', 'two'].map((value) => ({
        topic: input,
        partition: 0,
        key: Buffer.from('k'),
        value: Buffer.from(value),
      })),
    );
    const out = await cluster.readUntil(output, (r) => r.some((x) => text(x.value) === 'two'));
    // 'one' may appear twice if it was sent before the failing batch: at-least-once allows that.
    expect([...new Set(out.map((r) => text(r.value)))]).toEqual(['one', 'flaky', 'two']);
    expect(errors).toHaveLength(1);
    expect(isKStreamsError(errors[0], 'PROCESSING_FAILED')).toBe(true);
    expect(await eventually(() => streams.state === 'RUNNING')).toBe(true);
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'REBALANCING', 'RUNNING']);
    expect(await streams.close()).toBe(true);
  });

  it('a failed send fails the commit: the app stops in ERROR and the input stays uncommitted', async () => {
    const input = await cluster.createTopic(`${adapter}-in`, 1);
    // Kafka refuses topic names with characters outside [a-zA-Z0-9._-], so every send to it fails.
    const topology = new Topology()
      .addSource('in', input, strings)
      .addSink('out', 'not a valid topic!', stringSink, 'in');
    const applicationId = uniqueName(`${adapter}-send-failure`);
    const streams = new KafkaStreams(topology, {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      logger: silentLogger,
    });
    apps.push(streams);
    const errors: unknown[] = [];
    streams.onUncaughtError((error) => errors.push(error));
    await streams.start();
    await waitForState(streams, 'RUNNING');
    await cluster.produce([{ topic: input, key: Buffer.from('k'), value: Buffer.from('v') }]);
    await waitForState(streams, 'ERROR', 30_000);
    expect(isKStreamsError(errors[0], 'KAFKA_PRODUCE_FAILED')).toBe(true);
    expect((await cluster.committed(applicationId, input)).get(0)).toBeUndefined();
  });
});

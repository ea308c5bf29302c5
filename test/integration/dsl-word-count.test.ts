import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, text, uniqueName, waitForState } from './support/cluster.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];

describe.each(adapters)('a DSL word count through a repartition topic on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let app: KafkaStreams | undefined;
  let stateDir: string;

  beforeAll(() => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-dsl-count-'));
  });

  afterAll(async () => {
    await app?.close({ timeoutMs: 10_000 });
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('counts every word once per occurrence, across partitions', async () => {
    const input = await cluster.createTopic(`${adapter}-sentences`, 3);
    const output = await cluster.createTopic(`${adapter}-counts`, 3);
    const applicationId = uniqueName(`${adapter}-dsl-count`);
    cluster.forget([`${applicationId}-counts-repartition`, `${applicationId}-counts-changelog`]);
    const str = Serdes.string();
    const builder = new StreamsBuilder();
    builder
      .stream(input, { keySerde: str, valueSerde: str })
      .flatMapValues((line) => line.split(' '))
      .groupBy((_key, word) => word, { keySerde: str })
      .count({ storeName: 'counts' })
      .toStream()
      .to(output, { valueSerde: Serdes.long() });
    app = new KafkaStreams(builder.build(), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      stateDir,
      // groupBy names only the key serde: the value (the word) uses the default, as in Kafka Streams.
      defaultKeySerde: str,
      defaultValueSerde: str,
      logger: silentLogger,
    });
    await app.start();
    await waitForState(app, 'RUNNING');
    const sentences = Array.from({ length: 60 }, (_, i) => `w${i % 7} w${i % 5} common`);
    await cluster.produce(
      sentences.map((value, i) => ({ topic: input, key: Buffer.from(`s${i}`), value: Buffer.from(value) })),
    );
    const expected = new Map<string, number>();
    for (const word of sentences.flatMap((s) => s.split(' '))) expected.set(word, (expected.get(word) ?? 0) + 1);

    const latest = new Map<string, number>();
    let seen = 0;
    await cluster.readUntil(output, (records) => {
      for (const record of records.slice(seen)) {
        latest.set(text(record.key), Number(Serdes.long().deserialize(output, record.value)));
      }
      seen = records.length;
      return [...expected].every(([word, count]) => latest.get(word) === count);
    });
    expect(Object.fromEntries(latest)).toEqual(Object.fromEntries(expected));
    expect(await app.close()).toBe(true);
  });
});

import { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaJsGroupConsumer } from '../../../src/kafka/kafkajs/kafkajs-group-consumer.ts';
import { kafkaConfig } from '../../../src/kafka/kafkajs/kafkajs-options.ts';
import type { ConsumedRecord } from '../../../src/kafka/types.ts';
import { testBrokers } from '../../setup/kafka-env.ts';
import { kafkaJsTestbed, uniqueName } from './kafkajs-test-support.ts';

const bed = kafkaJsTestbed();
afterEach(() => bed.closeAll());

describe('KafkaJsGroupConsumer', () => {
  it('hands out a large backlog in bounded polls, in order, without duplicates', async () => {
    const topic = await bed.createTopic('backlog', 1);
    const producer = bed.track(bed.client().producer());
    await producer.send(Array.from({ length: 2000 }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${i}`) })));
    const consumer = bed.track(bed.client().groupConsumer({ groupId: uniqueName('backlog'), topics: [topic] }));
    await consumer.connect();

    const seen: ConsumedRecord[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 2000 && Date.now() < deadline) {
      const batch = await consumer.poll({ maxRecords: 150, timeoutMs: 500 });
      expect(batch.length).toBeLessThanOrEqual(150);
      seen.push(...batch);
    }
    expect(seen.map((r) => r.offset)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(seen.at(-1)?.value?.toString()).toBe('v1999');
  });

  it('connects its admin once, while joining: committed offsets read after the join need no new connection', async () => {
    const topic = await bed.createTopic('admin-early', 1);
    const connection = { brokers: testBrokers(), clientId: 'kafkajs-adapter-test' };
    const kafka = new Kafka(kafkaConfig(connection));
    let connects = 0;
    // The real client, with every admin's connect() counted.
    const counting: Kafka = Object.create(kafka);
    counting.admin = (config) => {
      const admin = kafka.admin(config);
      const connect = admin.connect.bind(admin);
      admin.connect = () => {
        connects++;
        return connect();
      };
      return admin;
    };
    const consumer = bed.track(
      new KafkaJsGroupConsumer(counting, connection, { groupId: uniqueName('admin-early'), topics: [topic] }),
    );
    await consumer.connect();
    expect(connects).toBe(1);
    const partitions = [{ topic, partition: 0 }];
    expect(await Promise.all([consumer.committed(partitions), consumer.committed(partitions)])).toEqual([[], []]);
    expect(connects).toBe(1);
  });

  it('reports the generation and member id of its assignment', async () => {
    const topic = await bed.createTopic('metadata', 2);
    const groupId = uniqueName('metadata');
    const consumer = bed.track(bed.client().groupConsumer({ groupId, topics: [topic] }));
    const assignment = await consumer.connect();
    expect(assignment.generationId).toBeGreaterThan(0);
    expect(assignment.memberId).not.toBe('');
    expect(assignment.partitions).toEqual([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    expect(consumer.groupMetadata()).toEqual({
      groupId,
      generationId: assignment.generationId,
      memberId: assignment.memberId,
    });
  });

  it('revokes only once the engine polls again after the records it is processing', async () => {
    const topic = await bed.createTopic('revoke-after-processing', 2);
    const groupId = uniqueName('revoke-after-processing');
    const producer = bed.track(bed.client().producer());
    await producer.send([
      { topic, partition: 0, key: null, value: Buffer.from('a') },
      { topic, partition: 1, key: null, value: Buffer.from('b') },
    ]);
    const events: string[] = [];
    const first = bed.track(
      bed.client().groupConsumer({
        groupId,
        topics: [topic],
        listener: {
          onPartitionsRevoked: async (partitions) => {
            events.push(`revoked ${partitions.length}`);
            await first.commit(partitions.map((tp) => ({ ...tp, offset: 1 })));
          },
        },
      }),
    );
    await first.connect();
    let polled: readonly ConsumedRecord[] = [];
    const deadline = Date.now() + 10_000;
    while (polled.length === 0 && Date.now() < deadline) polled = await first.poll({ timeoutMs: 200 });
    expect(polled.length).toBeGreaterThan(0);

    // The engine is "processing" what it polled while a second member joins.
    const second = bed.track(bed.client().groupConsumer({ groupId, topics: [topic] }));
    const joined = second.connect();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    events.push('processed');
    while (first.assignment().partitions.length !== 1 && Date.now() < deadline + 20_000) {
      await first.poll({ timeoutMs: 100 });
    }
    await joined;
    expect(events).toEqual(['processed', 'revoked 2']);
    expect(await bed.admin().committedOffsets(groupId, [topic])).toEqual([
      { topic, partition: 0, offset: 1 },
      { topic, partition: 1, offset: 1 },
    ]);
  });
});

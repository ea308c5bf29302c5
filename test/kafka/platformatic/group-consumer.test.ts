import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformaticClient } from '../../../src/kafka/platformatic/platformatic-client.ts';
import type { Admin, KafkaClient, MemberSubscription, PartitionAssignor } from '../../../src/kafka/types.ts';
import { testBrokers } from '../../setup/kafka-env.ts';

describe('platformatic group consumer', () => {
  let client: KafkaClient;
  let admin: Admin;
  const topic = `platformatic-single-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    client = createPlatformaticClient({ brokers: testBrokers(), clientId: 'platformatic-regression' });
    admin = client.admin();
    await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
  });

  afterAll(async () => {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
  });

  it('runs the custom assignor for a single member and delivers its partitions and user data', async () => {
    const seen: MemberSubscription[][] = [];
    const assignor: PartitionAssignor = {
      name: 'kstreams-single',
      subscriptionUserData: () => Buffer.from('me:1'),
      assign(members) {
        seen.push([...members]);
        const only = members[0]!;
        return new Map([[only.memberId, { partitions: [{ topic, partition: 2 }], userData: Buffer.from('yours') }]]);
      },
    };
    const consumer = client.groupConsumer({ groupId: `single-${randomUUID()}`, topics: [topic], assignor });
    try {
      const assignment = await consumer.connect();
      expect(seen).toHaveLength(1);
      expect(seen[0]?.map((m) => m.userData?.toString())).toEqual(['me:1']);
      expect(assignment.partitions).toEqual([{ topic, partition: 2 }]);
      expect(assignment.userData?.toString()).toBe('yours');
      expect(assignment.memberId).toBe(consumer.groupMetadata().memberId);
    } finally {
      await consumer.close();
    }
  });

  it('returns no more records than maxRecords per poll and keeps the rest for the next polls', async () => {
    const producer = client.producer();
    const consumer = client.groupConsumer({ groupId: `bounded-${randomUUID()}`, topics: [topic] });
    try {
      await producer.send(
        Array.from({ length: 30 }, (_, i) => ({ topic, partition: 0, key: null, value: Buffer.from(`${i}`) })),
      );
      await consumer.connect();
      const offsets: number[] = [];
      for (let i = 0; i < 40 && offsets.length < 30; i++) {
        const batch = await consumer.poll({ maxRecords: 7, timeoutMs: 250 });
        expect(batch.length).toBeLessThanOrEqual(7);
        offsets.push(...batch.filter((r) => r.partition === 0).map((r) => r.offset));
      }
      expect(offsets).toEqual(Array.from({ length: 30 }, (_, i) => i));
    } finally {
      await consumer.close();
      await producer.close();
    }
  });
});

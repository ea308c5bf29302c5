import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import {
  type AdapterName,
  type Admin,
  type Assignment,
  type ConsumedRecord,
  createKafkaClient,
  type FetchedRecordBatches,
  type GroupConsumer,
  type KafkaClient,
  type MemberAssignment,
  type MemberSubscription,
  type PartitionAssignor,
  RecordBatchCursor,
} from '../../../src/kafka/index.ts';
import { testBrokers, testSaslBrokers } from '../../setup/kafka-env.ts';
import javaVectors from '../fixtures/murmur2-java.json' with { type: 'json' };
import { eventually, pollFor, pollRecords, sendInTransaction, text, uniqueName } from './contract-support.ts';

/**
 * The behaviour every Kafka client adapter must show against a real broker. Each adapter's test file
 * calls this once; the engine relies on nothing the suite does not check.
 */
export function describeKafkaContract(adapter: AdapterName): void {
  describe(`Kafka client contract: ${adapter}`, () => {
    let client: KafkaClient;
    let admin: Admin;
    const closers: Array<() => Promise<void>> = [];

    function track<T extends { close(): Promise<void> }>(resource: T): T {
      closers.push(() => resource.close());
      return resource;
    }

    async function createTopic(prefix: string, partitions: number): Promise<string> {
      const name = uniqueName(`${adapter}-${prefix}`);
      await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
      return name;
    }

    beforeAll(() => {
      client = createKafkaClient({ brokers: testBrokers(), clientId: `contract-${adapter}` }, adapter);
      admin = track(client.admin());
    });

    afterAll(async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    });

    it('round-trips keys, values, tombstones, headers and timestamps', async () => {
      const topic = await createTopic('round-trip', 3);
      const producer = track(client.producer());
      const timestamp = Date.UTC(2026, 0, 2, 3, 4, 5);
      await producer.send([
        { topic, partition: 1, key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp },
        {
          topic,
          partition: 1,
          key: Buffer.from('k2'),
          value: null,
          headers: [
            { key: 'trace', value: Buffer.from('abc') },
            { key: 'trace', value: Buffer.from('def') },
            { key: 'bin', value: Buffer.from([0, 255, 1]) },
          ],
          timestamp: timestamp + 1,
        },
        { topic, partition: 1, key: null, value: Buffer.from('keyless'), timestamp: timestamp + 2 },
      ]);

      const consumer = track(client.groupConsumer({ groupId: uniqueName('round-trip'), topics: [topic] }));
      await consumer.connect();
      const records = await pollRecords(consumer, 3);

      expect(
        records.map((r) => ({
          partition: r.partition,
          offset: r.offset,
          key: text(r.key),
          value: text(r.value),
          timestamp: r.timestamp,
        })),
      ).toEqual([
        { partition: 1, offset: 0, key: 'k1', value: 'v1', timestamp },
        { partition: 1, offset: 1, key: 'k2', value: null, timestamp: timestamp + 1 },
        { partition: 1, offset: 2, key: null, value: 'keyless', timestamp: timestamp + 2 },
      ]);
      expect(records[0]?.headers).toEqual([]);
      expect(records[1]?.headers.map((h) => [h.key, [...h.value]])).toEqual([
        ['trace', [...Buffer.from('abc')]],
        ['trace', [...Buffer.from('def')]],
        ['bin', [0, 255, 1]],
      ]);
    });

    it('puts each key in the partition Java’s default partitioner picks', async () => {
      const topic = await createTopic('java-partitions', 6);
      const producer = track(client.producer());
      const written = await producer.send(
        javaVectors.map((v) => ({ topic, key: Buffer.from(v.key, 'utf8'), value: Buffer.from(v.key) })),
      );
      expect(written).toHaveLength(javaVectors.length);

      const consumer = track(client.groupConsumer({ groupId: uniqueName('java-partitions'), topics: [topic] }));
      await consumer.connect();
      const records = await pollRecords(consumer, javaVectors.length);
      const partitionByKey = new Map(records.map((r) => [text(r.key), r.partition]));
      for (const vector of javaVectors) {
        expect(partitionByKey.get(vector.key), `key "${vector.key}"`).toBe(vector.partitions['6']);
      }
    });

    it('resumes from the committed offset after a restart', async () => {
      const topic = await createTopic('resume', 1);
      const groupId = uniqueName('resume');
      const producer = track(client.producer());
      await producer.send(
        Array.from({ length: 20 }, (_, i) => ({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })),
      );

      const first = client.groupConsumer({ groupId, topics: [topic] });
      await first.connect();
      const seen = await pollRecords(first, 20);
      expect(seen).toHaveLength(20);
      const tenth = seen[9]!;
      await first.commit([{ topic, partition: 0, offset: tenth.offset + 1 }]);
      expect(await first.committed([{ topic, partition: 0 }])).toEqual([{ topic, partition: 0, offset: 10 }]);
      await first.close();

      expect(await admin.committedOffsets(groupId, [topic])).toEqual([{ topic, partition: 0, offset: 10 }]);

      const second = track(client.groupConsumer({ groupId, topics: [topic] }));
      await second.connect();
      const rest = await pollRecords(second, 10);
      expect(rest.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(rest.map((r) => text(r.value))).toEqual(Array.from({ length: 10 }, (_, i) => `v${i + 10}`));
    });

    it('pauses and resumes single partitions without losing records', async () => {
      const topic = await createTopic('pause', 2);
      const producer = track(client.producer());
      const batch = (partition: number, from: number) =>
        Array.from({ length: 10 }, (_, i) => ({
          topic,
          partition,
          key: null,
          value: Buffer.from(`p${partition}-${from + i}`),
        }));
      await producer.send([...batch(0, 0), ...batch(1, 0)]);

      const consumer = track(client.groupConsumer({ groupId: uniqueName('pause'), topics: [topic] }));
      await consumer.connect();
      consumer.pause([{ topic, partition: 0 }]);
      expect(consumer.paused()).toEqual([{ topic, partition: 0 }]);

      const whilePaused = await pollRecords(consumer, 10);
      await producer.send([...batch(0, 10), ...batch(1, 10)]);
      whilePaused.push(...(await pollRecords(consumer, 10)));
      whilePaused.push(...(await pollFor(consumer, 1500)));
      expect(whilePaused.every((r) => r.partition === 1)).toBe(true);
      expect(whilePaused).toHaveLength(20);

      consumer.resume([{ topic, partition: 0 }]);
      expect(consumer.paused()).toEqual([]);
      const afterResume = await pollRecords(consumer, 20);
      expect(afterResume.map((r) => text(r.value))).toEqual(Array.from({ length: 20 }, (_, i) => `p0-${i}`));
    });

    it('seeks a partition back to an earlier offset', async () => {
      const topic = await createTopic('seek', 1);
      const producer = track(client.producer());
      await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${i}`) })));
      const consumer = track(client.groupConsumer({ groupId: uniqueName('seek'), topics: [topic] }));
      await consumer.connect();
      expect(await pollRecords(consumer, 5)).toHaveLength(5);
      consumer.seek({ topic, partition: 0, offset: 2 });
      const again = await pollRecords(consumer, 3);
      expect(again.map((r) => r.offset)).toEqual([2, 3, 4]);
    });

    it('lets a custom assignor split partitions between two members with user data both ways', async () => {
      const topic = await createTopic('assignor', 4);
      const groupId = uniqueName('assignor');
      const assignor = (host: string): PartitionAssignor => ({
        name: 'kstreams-contract',
        subscriptionUserData: () => Buffer.from(host),
        assign(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>) {
          const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
          const hosts = sorted.map((m) => text(m.userData)).join(',');
          const result = new Map<string, MemberAssignment>();
          sorted.forEach((member, index) => {
            const partitions = [];
            for (let p = index; p < (partitionCounts.get(topic) ?? 0); p += sorted.length) {
              partitions.push({ topic, partition: p });
            }
            result.set(member.memberId, {
              partitions,
              userData: Buffer.from(JSON.stringify({ for: member.memberId, hosts })),
            });
          });
          return result;
        },
      });
      const assignments = { a: [] as Assignment[], b: [] as Assignment[] };
      const member = (name: 'a' | 'b'): GroupConsumer =>
        track(
          client.groupConsumer({
            groupId,
            topics: [topic],
            assignor: assignor(`host-${name}:8080`),
            listener: { onPartitionsAssigned: (assignment) => void assignments[name].push(assignment) },
          }),
        );
      const a = member('a');
      const b = member('b');
      await Promise.all([a.connect(), b.connect()]);

      const settled = () => {
        const current = [a.assignment(), b.assignment()];
        const partitions = current.flatMap((x) => x.partitions.map((tp) => tp.partition)).sort();
        return current.every((x) => x.partitions.length === 2) && partitions.join() === '0,1,2,3';
      };
      const ok = await eventually(() => Promise.all([a.poll({ timeoutMs: 100 }), b.poll({ timeoutMs: 100 })]), settled);
      expect(ok, 'both members hold two partitions each').toBe(true);

      for (const [consumer, own] of [
        [a, a.assignment()],
        [b, b.assignment()],
      ] as const) {
        const data = JSON.parse(text(own.userData) ?? '{}') as { for?: string; hosts?: string };
        expect(data.for).toBe(consumer.groupMetadata().memberId);
        expect(data.hosts?.split(',').sort()).toEqual(['host-a:8080', 'host-b:8080']);
        expect(own.memberId).toBe(consumer.groupMetadata().memberId);
      }
      expect(assignments.a.length).toBeGreaterThan(0);
      expect(assignments.b.length).toBeGreaterThan(0);

      const [group] = await admin.describeGroups([groupId]);
      expect(group?.protocol).toBe('kstreams-contract');
      expect(group?.members.map((m) => text(m.subscriptionUserData)).sort()).toEqual(['host-a:8080', 'host-b:8080']);
      expect(group?.members.flatMap((m) => m.assignment.map((tp) => tp.partition)).sort()).toEqual([0, 1, 2, 3]);
    });

    it('returns from the poll that announces an assignment at once, without waiting for records', async () => {
      const topic = await createTopic('assigned-poll', 2);
      const assigned: number[] = [];
      const consumer = track(
        client.groupConsumer({
          groupId: uniqueName('assigned-poll'),
          topics: [topic],
          listener: { onPartitionsAssigned: (assignment) => void assigned.push(assignment.partitions.length) },
        }),
      );
      const started = Date.now();
      // The topic is empty: a poll that waited for records would take its whole 20 s.
      expect(await consumer.poll({ timeoutMs: 20_000 })).toEqual([]);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(assigned).toEqual([2]);
    });

    it('tells a partition revocation to the listener, awaited, before a new member takes it', async () => {
      const topic = await createTopic('revoke', 2);
      const groupId = uniqueName('revoke');
      const events: string[] = [];
      const first = track(
        client.groupConsumer({
          groupId,
          topics: [topic],
          listener: {
            onPartitionsRevoked: async (partitions) => {
              events.push(`revoking ${partitions.length}`);
              await new Promise((resolve) => setTimeout(resolve, 200));
              events.push('revoked');
            },
          },
        }),
      );
      await first.connect();
      expect(first.assignment().partitions).toHaveLength(2);
      const second = track(client.groupConsumer({ groupId, topics: [topic] }));
      const joined = second.connect();
      const ok = await eventually(
        () => first.poll({ timeoutMs: 100 }),
        () => first.assignment().partitions.length === 1,
      );
      await joined;
      expect(ok).toBe(true);
      expect(events.slice(0, 2)).toEqual([expect.stringMatching(/^revoking [12]$/), 'revoked']);
    });

    it('shows committed transactions to read_committed consumers and hides aborted ones', async () => {
      const input = await createTopic('tx-input', 1);
      const output = await createTopic('tx-output', 1);
      const groupId = uniqueName('tx');
      const plain = track(client.producer());
      await plain.send([{ topic: input, key: null, value: Buffer.from('in-0') }]);

      const source = track(client.groupConsumer({ groupId, topics: [input] }));
      await source.connect();
      const [consumed] = await pollRecords(source, 1);
      expect(consumed).toBeDefined();

      const producer = track(client.producer({ transactionalId: uniqueName('tx-producer') }));
      const committedTx = await producer.beginTransaction();
      await committedTx.send([{ topic: output, key: null, value: Buffer.from('committed-1') }]);
      await committedTx.commit();

      const abortedTx = await producer.beginTransaction();
      await abortedTx.send([{ topic: output, key: null, value: Buffer.from('aborted') }]);
      await abortedTx.abort();

      const withOffsets = await producer.beginTransaction();
      await withOffsets.send([{ topic: output, key: null, value: Buffer.from('committed-2') }]);
      await withOffsets.sendOffsets(
        [{ topic: input, partition: 0, offset: consumed!.offset + 1 }],
        source.groupMetadata(),
      );
      await withOffsets.commit();

      expect(await admin.committedOffsets(groupId, [input])).toEqual([{ topic: input, partition: 0, offset: 1 }]);

      const readCommitted = track(
        client.groupConsumer({ groupId: uniqueName('rc'), topics: [output], isolationLevel: 'read_committed' }),
      );
      await readCommitted.connect();
      const visible = [...(await pollRecords(readCommitted, 2)), ...(await pollFor(readCommitted, 1000))];
      expect(visible.map((r) => text(r.value))).toEqual(['committed-1', 'committed-2']);

      const readUncommitted = track(
        client.groupConsumer({ groupId: uniqueName('ru'), topics: [output], isolationLevel: 'read_uncommitted' }),
      );
      await readUncommitted.connect();
      const all = await pollRecords(readUncommitted, 3);
      expect(all.map((r) => text(r.value))).toEqual(['committed-1', 'aborted', 'committed-2']);
    });

    it('reads assigned partitions without a group from a given offset to the end', async () => {
      const topic = await createTopic('assigned', 2);
      const producer = track(client.producer());
      await producer.send(
        Array.from({ length: 8 }, (_, i) => ({ topic, partition: 1, key: null, value: Buffer.from(`r${i}`) })),
      );

      const consumer = track(client.assignedConsumer());
      expect(
        await consumer.endOffsets([
          { topic, partition: 0 },
          { topic, partition: 1 },
        ]),
      ).toEqual([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 8 },
      ]);
      await consumer.assign([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 5 },
      ]);
      const records = await pollRecords(consumer, 3);
      expect(records.map((r) => [r.partition, r.offset, text(r.value)])).toEqual([
        [1, 5, 'r5'],
        [1, 6, 'r6'],
        [1, 7, 'r7'],
      ]);
      consumer.seek({ topic, partition: 1, offset: 0 });
      expect((await pollRecords(consumer, 8)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await admin.listOffsets([{ topic, partition: 1 }], 'earliest')).toEqual([
        { topic, partition: 1, offset: 0 },
      ]);
      expect(await admin.listOffsets([{ topic, partition: 1 }], 'latest')).toEqual([
        { topic, partition: 1, offset: 8 },
      ]);
    });

    /** Two partitions holding p<partition>-0..2, read by an assigned consumer from offset 0. */
    async function assignedOverTwoPartitions(prefix: string) {
      const topic = await createTopic(prefix, 2);
      const producer = track(client.producer());
      await producer.send(
        [0, 1].flatMap((partition) =>
          [0, 1, 2].map((i) => ({ topic, partition, key: null, value: Buffer.from(`p${partition}-${i}`) })),
        ),
      );
      const consumer = track(client.assignedConsumer());
      await consumer.assign([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 0 },
      ]);
      return { topic, producer, consumer };
    }

    it('stops reading a paused assigned partition until a seek resumes it', async () => {
      const { topic, producer, consumer } = await assignedOverTwoPartitions('paused');
      consumer.pause([{ topic, partition: 1 }]);
      const read = [...(await pollRecords(consumer, 3)), ...(await pollFor(consumer, 600))];
      expect(read.map((r) => text(r.value))).toEqual(['p0-0', 'p0-1', 'p0-2']);
      // With every partition paused, a poll answers at its timeout with nothing.
      consumer.pause([{ topic, partition: 0 }]);
      await producer.send([{ topic, partition: 0, key: null, value: Buffer.from('p0-3') }]);
      expect(await pollFor(consumer, 600)).toEqual([]);
      consumer.seek({ topic, partition: 1, offset: 1 });
      expect((await pollRecords(consumer, 2)).map((r) => text(r.value))).toEqual(['p1-1', 'p1-2']);
    });

    it('pauses an assigned partition right after the poll that read it to its end, as restoration does', async () => {
      const { topic, producer, consumer } = await assignedOverTwoPartitions('paused-at-end');
      const read: ConsumedRecord[] = [];
      // Each poll that returns records may start the next read of both partitions before it returns; the
      // pause lands while that read is on its way, with no await in between.
      while (!read.some((r) => r.partition === 0 && r.offset === 2)) {
        read.push(...(await consumer.poll({ maxRecords: 500, timeoutMs: 250 })));
      }
      consumer.pause([{ topic, partition: 0 }]);
      await producer.send([
        { topic, partition: 0, key: null, value: Buffer.from('p0-3') },
        { topic, partition: 1, key: null, value: Buffer.from('p1-3') },
      ]);
      read.push(...(await pollRecords(consumer, 6 - read.length + 1, 5_000)), ...(await pollFor(consumer, 600)));
      expect(read.map((r) => text(r.value)).sort()).toEqual(['p0-0', 'p0-1', 'p0-2', 'p1-0', 'p1-1', 'p1-2', 'p1-3']);
    });

    /** Every record of the fetched batches, as `partition@offset key=value [headers]`. */
    function readBatches(fetched: readonly FetchedRecordBatches[]): string[] {
      const out: string[] = [];
      for (const partition of fetched) {
        const cursor = new RecordBatchCursor(partition);
        const slice = (start: number, length: number) =>
          length < 0 ? 'null' : cursor.bytes.toString('utf8', start, start + length);
        while (cursor.next()) {
          const headers = cursor.headers().map((h) => `${h.key}:${h.value.toString()}`);
          const record = `${slice(cursor.keyStart, cursor.keyLength)}=${slice(cursor.valueStart, cursor.valueLength)}`;
          out.push(`${partition.partition}@${cursor.offset} ${record} [${headers.join(',')}]`);
        }
      }
      return out;
    }

    it('hands out fetched record batches that read as poll reads the same records, then polls on after them', async () => {
      const { topic, producer, consumer } = await assignedOverTwoPartitions('batches');
      await producer.send([
        { topic, partition: 0, key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('v') }] },
      ]);
      const viaBatches: string[] = [];
      const deadline = Date.now() + 20_000;
      while (viaBatches.length < 7 && Date.now() < deadline) {
        const fetched = await consumer.pollBatches?.({ timeoutMs: 500 });
        expect(fetched).toBeDefined();
        viaBatches.push(...readBatches(fetched ?? []));
      }
      const reference = track(client.assignedConsumer());
      await reference.assign([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 0 },
      ]);
      const viaPoll = (await pollRecords(reference, 7)).map(
        (r) =>
          `${r.partition}@${r.offset} ${text(r.key) ?? 'null'}=${text(r.value) ?? 'null'} [${r.headers.map((h) => `${h.key}:${h.value.toString()}`).join(',')}]`,
      );
      expect(viaBatches.sort()).toEqual(viaPoll.sort());
      expect(viaBatches).toContain('0@3 k=null [h:v]');
      // Decoded polls go on after what the batches handed out.
      await producer.send([{ topic, partition: 1, key: null, value: Buffer.from('p1-3') }]);
      expect((await pollRecords(consumer, 1)).map((r) => [r.offset, text(r.value)])).toEqual([[3, 'p1-3']]);
    });

    it('reads compressed batches undecoded, and hides aborted transactions from a read_committed batch reader', async () => {
      const topic = await createTopic('batches-tx', 1);
      const zipped = track(client.producer({ compression: 'gzip' }));
      await zipped.send(
        [0, 1, 2].map((i) => ({ topic, partition: 0, key: Buffer.from(`z${i}`), value: Buffer.from('v'.repeat(200)) })),
      );
      const producer = track(client.producer({ transactionalId: uniqueName('batches-tx') }));
      await sendInTransaction(producer, [{ topic, partition: 0, key: Buffer.from('aborted'), value: null }], 'abort');
      await sendInTransaction(
        producer,
        [{ topic, partition: 0, key: Buffer.from('committed'), value: null }],
        'commit',
      );

      /** The keys read through pollBatches from offset 0: `expected` of them, then whatever follows in 500 ms. */
      const readKeys = async (isolationLevel: 'read_committed' | 'read_uncommitted', expected: number) => {
        const consumer = track(client.assignedConsumer({ isolationLevel }));
        await consumer.assign([{ topic, partition: 0, offset: 0 }]);
        const keys: string[] = [];
        const deadline = Date.now() + 20_000;
        let settleUntil = Number.POSITIVE_INFINITY;
        while (Date.now() < Math.min(deadline, settleUntil)) {
          if (keys.length >= expected) settleUntil = Math.min(settleUntil, Date.now() + 500);
          for (const partition of (await consumer.pollBatches?.({ timeoutMs: 250 })) ?? []) {
            const cursor = new RecordBatchCursor(partition);
            while (cursor.next()) {
              keys.push(cursor.bytes.toString('utf8', cursor.keyStart, cursor.keyStart + cursor.keyLength));
            }
          }
        }
        return keys;
      };
      expect(await readKeys('read_committed', 4)).toEqual(['z0', 'z1', 'z2', 'committed']);
      expect(await readKeys('read_uncommitted', 5)).toEqual(['z0', 'z1', 'z2', 'aborted', 'committed']);
    });

    it('creates a compacted topic whose configuration reads back', async () => {
      const name = uniqueName(`${adapter}-compacted`);
      await admin.createTopics([
        {
          name,
          partitions: 3,
          replicationFactor: 1,
          configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '1000' },
        },
      ]);
      expect(await admin.describeTopics([name])).toEqual([{ name, partitions: 3, replicationFactor: 1 }]);
      const config = await admin.describeTopicConfig(name);
      expect(config['cleanup.policy']).toBe('compact');
      expect(config['min.compaction.lag.ms']).toBe('1000');
      expect(await admin.listTopics()).toContain(name);

      await admin.createTopics([{ name, partitions: 3 }], { ignoreExisting: true });
      const again = admin.createTopics([{ name, partitions: 3 }]);
      await expect(again).rejects.toSatisfy(
        (e) => isKStreamsError(e, 'KAFKA_TOPIC_EXISTS') && e.message.includes(name),
      );

      await admin.deleteTopics([name]);
      let gone = false;
      await eventually(
        async () => {
          gone = await admin.describeTopics([name]).then(
            () => false,
            (e) => isKStreamsError(e, 'KAFKA_TOPIC_NOT_FOUND'),
          );
          if (!gone) await new Promise((resolve) => setTimeout(resolve, 200));
        },
        () => gone,
        10_000,
      );
      expect(gone).toBe(true);
    });

    it('describes and deletes an empty consumer group', async () => {
      const topic = await createTopic('groups', 1);
      const groupId = uniqueName('groups');
      const consumer = client.groupConsumer({ groupId, topics: [topic] });
      await consumer.connect();
      await consumer.commit([{ topic, partition: 0, offset: 0 }]);
      await consumer.close();
      const [described] = await admin.describeGroups([groupId]);
      expect(described?.state).toBe('Empty');
      await admin.deleteGroups([groupId]);
      expect(await admin.committedOffsets(groupId, [topic])).toEqual([]);
    });

    it('names a missing topic in the error', async () => {
      const missing = uniqueName('no-such-topic');
      await expect(admin.describeTopics([missing])).rejects.toSatisfy(
        (e) => isKStreamsError(e, 'KAFKA_TOPIC_NOT_FOUND') && e.message.includes(missing) && e.hint.length > 0,
      );
      const producer = track(client.producer());
      await expect(producer.send([{ topic: missing, key: null, value: Buffer.from('x') }])).rejects.toSatisfy(
        (e) => isKStreamsError(e, 'KAFKA_TOPIC_NOT_FOUND') && e.message.includes(missing),
      );
    });

    it('names an unreachable broker in the error, within the request timeout', async () => {
      const unreachable = createKafkaClient(
        { brokers: ['127.0.0.1:1'], clientId: 'contract-unreachable', requestTimeoutMs: 3000 },
        adapter,
      );
      const lonely = unreachable.admin();
      const started = Date.now();
      await expect(lonely.listTopics()).rejects.toSatisfy(
        (e) =>
          isKStreamsError(e, 'KAFKA_UNREACHABLE') &&
          e.message.includes('127.0.0.1:1') &&
          e.hint.includes('KAFKA_BROKERS'),
      );
      expect(Date.now() - started).toBeLessThan(20_000);
      await lonely.close();
    });

    it('reports an authentication failure naming the user, and accepts the right password', async () => {
      const sasl = (password: string) =>
        createKafkaClient(
          {
            brokers: testSaslBrokers(),
            clientId: 'contract-sasl',
            requestTimeoutMs: 5000,
            sasl: { mechanism: 'plain', username: 'kstreams', password },
          },
          adapter,
        ).admin();
      const good = track(sasl('kstreams-secret'));
      expect(Array.isArray(await good.listTopics())).toBe(true);
      const bad = track(sasl('wrong-password'));
      await expect(bad.listTopics()).rejects.toSatisfy(
        (e) => isKStreamsError(e, 'KAFKA_AUTHENTICATION_FAILED') && e.message.includes('kstreams'),
      );
    });
  });
}

import type { EachBatchPayload, Kafka, Admin as KafkaJsAdmin, Consumer as KafkaJsConsumer } from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import type {
  Assignment,
  ConnectionOptions,
  ConsumedRecord,
  ConsumerGroupMetadata,
  GroupConsumer,
  GroupConsumerOptions,
  PollOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { kafkaJsPartitionAssigner } from './assignor-bridge.ts';
import { decodeMemberAssignment } from './consumer-protocol.ts';
import { type BatchOutcome, FetchedBatches, partitionKey } from './fetched-batches.ts';
import { type ErrorContext, isRebalanceError, mapErrors, toKStreamsError } from './kafkajs-errors.ts';
import { fromBeginning, groupConsumerConfig, kafkaJsDefaults } from './kafkajs-options.ts';
import { toConsumedRecord } from './record-conversion.ts';

const defaultMaxRecords = 500;
const defaultPollTimeoutMs = 1_000;

/**
 * A pull consumer over kafkajs's push API. kafkajs calls eachBatch once per fetched partition batch; the
 * call parks its batch in a small hand-over buffer and does not return until poll() handed out every record
 * and was called again (the engine processed them). eachBatch returning is kafkajs's backpressure, so at most
 * one fetch is held in memory. While parked, the call heartbeats (kafkajs heartbeats only between batches).
 *
 * Rebalances (kafkajs uses the eager protocol and has no revoke callback): before every JoinGroup this
 * adapter waits until the engine has processed the records it last polled (it polls again; no wait if that
 * poll returned nothing), then calls onPartitionsRevoked with the whole assignment and awaits it, while poll
 * returns nothing; the old generation is still valid then, so offsets can be committed. Buffered records are
 * dropped. onPartitionsAssigned runs inside poll (or connect) before any record of the new assignment is
 * returned. If the engine does not poll again within the rebalance timeout, the revoke callback runs anyway.
 */
export class KafkaJsGroupConsumer implements GroupConsumer {
  readonly #kafka: Kafka;
  readonly #connection: ConnectionOptions;
  readonly #options: GroupConsumerOptions;
  readonly #consumer: KafkaJsConsumer;
  readonly #batches = new FetchedBatches();
  readonly #paused = new Map<string, TopicPartition>();
  readonly #heartbeatIntervalMs: number;
  #admin: Promise<KafkaJsAdmin> | undefined;
  #assignment: Assignment = { partitions: [], userData: null, generationId: -1, memberId: '' };
  #joinedGeneration = -1;
  #syncedUserData: Buffer | null = null;
  #undeliveredAssignment: Assignment | undefined;
  #revoking: Promise<void> | undefined;
  #pollNumber = 0;
  /** True from a poll that returned records until the next poll: the engine is processing them. */
  #processing = false;
  #pollWaiters: (() => void)[] = [];
  #firstJoin: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #failure: KStreamsError | undefined;
  #listenerFailure: unknown;
  #connecting: Promise<Assignment> | undefined;
  /** kafkajs accepts pause, resume and seek only once run() has started. */
  #running = false;
  #closed = false;

  constructor(kafka: Kafka, connection: ConnectionOptions, options: GroupConsumerOptions) {
    this.#kafka = kafka;
    this.#connection = connection;
    this.#options = options;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? kafkaJsDefaults.heartbeatIntervalMs;
    fromBeginning(options);
    const assigner = kafkaJsPartitionAssigner(options.assignor, {
      beforeJoin: () => this.#beforeJoin(),
      joined: (generationId) => {
        this.#joinedGeneration = generationId;
      },
      synced: (memberAssignment) => {
        this.#syncedUserData = decodeMemberAssignment(memberAssignment)?.userData ?? null;
      },
    });
    this.#consumer = kafka.consumer(groupConsumerConfig(options, [assigner]));
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) =>
      this.#onGroupJoin(payload.memberId, payload.memberAssignment),
    );
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.#failure = toKStreamsError(payload.error, this.#context('consume', 'KAFKA_CONSUME_FAILED'));
      this.#firstJoin?.reject(this.#failure);
      this.#batches.notify();
    });
  }

  connect(): Promise<Assignment> {
    if (this.#closed) return Promise.reject(closedError());
    this.#connecting ??= this.#start();
    return this.#connecting;
  }

  async poll(options?: PollOptions): Promise<readonly ConsumedRecord[]> {
    if (this.#closed) throw closedError();
    // A poll that joins the group returns once the assignment is announced (see PollOptions).
    const joining = this.#connecting === undefined;
    await this.connect();
    if (joining) return [];
    const maxRecords = options?.maxRecords ?? defaultMaxRecords;
    const deadline = Date.now() + (options?.timeoutMs ?? defaultPollTimeoutMs);
    const pollNumber = ++this.#pollNumber;
    this.#enterPoll();
    try {
      this.#batches.completeEmptied(pollNumber);
      for (;;) {
        this.#throwFailure();
        if (this.#closed) return [];
        if (this.#revoking !== undefined) {
          await this.#revoking;
          continue;
        }
        // A poll that announces an assignment returns right after it (see PollOptions).
        if (this.#undeliveredAssignment !== undefined) {
          await this.#deliverAssignment();
          return [];
        }
        const records = this.#batches.take(maxRecords, (key) => this.#paused.has(key), pollNumber);
        if (records.length > 0) {
          this.#processing = true;
          return records;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return records;
        await this.#batches.changed(remaining);
      }
    } catch (error) {
      this.#processing = false;
      throw error;
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.connect();
    await mapErrors(this.#context('commit offsets', 'KAFKA_COMMIT_FAILED'), () =>
      this.#consumer.commitOffsets(
        offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })),
      ),
    );
  }

  async committed(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]> {
    const admin = await this.#connectedAdmin();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const offsets = await mapErrors(this.#context('read committed offsets', 'KAFKA_CONSUME_FAILED'), () =>
      admin.fetchOffsets({ groupId: this.#options.groupId, topics }),
    );
    const byKey = new Map<string, number>();
    for (const { topic, partitions: list } of offsets) {
      for (const { partition, offset } of list)
        if (Number(offset) >= 0) byKey.set(partitionKey({ topic, partition }), Number(offset));
    }
    return partitions.flatMap(({ topic, partition }) => {
      const offset = byKey.get(partitionKey({ topic, partition }));
      return offset === undefined ? [] : [{ topic, partition, offset }];
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#paused.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
    if (this.#running) this.#consumer.pause(byTopic(partitions));
    this.#batches.hold((key) => this.#paused.has(key));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#paused.delete(partitionKey(tp));
    if (this.#running) this.#consumer.resume(byTopic(partitions));
    this.#batches.notify();
  }

  paused(): readonly TopicPartition[] {
    return [...this.#paused.values()];
  }

  seek(position: TopicPartitionOffset): void {
    const { topic, partition, offset } = position;
    this.#consumer.seek({ topic, partition, offset: String(offset) });
    this.#batches.drop((b) => b.topic === topic && b.partition === partition, { kind: 'dropped' });
  }

  assignment(): Assignment {
    return this.#assignment;
  }

  groupMetadata(): ConsumerGroupMetadata {
    return {
      groupId: this.#options.groupId,
      generationId: this.#assignment.generationId,
      memberId: this.#assignment.memberId,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#batches.drop(() => true, { kind: 'dropped' });
    this.#firstJoin?.reject(closedError());
    this.#wakePollWaiters();
    await this.#consumer.disconnect().catch(() => undefined);
    const admin = await this.#admin?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  async #start(): Promise<Assignment> {
    const joined = new Promise<void>((resolve, reject) => (this.#firstJoin = { resolve, reject }));
    joined.catch(() => undefined);
    const topics = [...this.#options.topics];
    // Connected while the group is joined: the engine reads committed offsets right after the first
    // assignment (restoration), and a connection made then costs ~100 ms on that path.
    this.#connectedAdmin().catch(() => undefined);
    await mapErrors(this.#context(`join group ${this.#options.groupId}`, 'KAFKA_CONSUME_FAILED', topics), async () => {
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topics, fromBeginning: fromBeginning(this.#options) });
      await this.#consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: kafkaJsDefaults.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.#onBatch(payload),
      });
    });
    this.#running = true;
    if (this.#paused.size > 0) this.#consumer.pause(byTopic([...this.#paused.values()]));
    await joined;
    this.#firstJoin = undefined;
    await this.#deliverAssignment();
    return this.#assignment;
  }

  async #onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    // Stale: seek() was called after this batch was fetched; kafkajs fetches again from the new position.
    if (this.#closed || batch.messages.length === 0 || isStale()) return;
    const { topic, partition } = batch;
    const records = batch.messages.map((message) => toConsumedRecord(topic, partition, message));
    const { batch: fetched, outcome } = this.#batches.add(topic, partition, records);
    if (this.#paused.has(partitionKey(fetched))) this.#batches.hold((key) => this.#paused.has(key));

    let result: BatchOutcome | undefined;
    while (result === undefined) {
      result = await settledWithin(outcome, this.#heartbeatIntervalMs);
      if (result !== undefined) break;
      try {
        await heartbeat();
      } catch (error) {
        // The group is rebalancing: give every parked batch back so kafkajs can rejoin.
        if (isRebalanceError(error)) this.#batches.drop(() => true, { kind: 'failed', error });
      }
    }
    const whole = result.kind === 'consumed' || result.kind === 'held';
    const last = whole ? records.at(-1) : records[fetched.next - 1];
    if (last !== undefined) resolveOffset(String(last.offset));
    if (result.kind === 'failed') throw result.error;
  }

  #onGroupJoin(memberId: string, memberAssignment: Record<string, number[]>): void {
    const partitions = Object.entries(memberAssignment)
      .flatMap(([topic, list]) => list.map((partition) => ({ topic, partition })))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    this.#assignment = { partitions, userData: this.#syncedUserData, generationId: this.#joinedGeneration, memberId };
    this.#undeliveredAssignment = this.#assignment;
    this.#firstJoin?.resolve();
    this.#batches.notify();
  }

  async #beforeJoin(): Promise<void> {
    const revoked = this.#assignment.partitions;
    if (this.#closed || revoked.length === 0) return;
    let done: () => void = () => undefined;
    this.#revoking = new Promise<void>((resolve) => (done = resolve));
    this.#batches.notify();
    try {
      await this.#untilProcessed(this.#options.rebalanceTimeoutMs ?? kafkaJsDefaults.rebalanceTimeoutMs);
      this.#batches.drop(() => true, { kind: 'dropped' });
      this.#assignment = { ...this.#assignment, partitions: [], userData: null };
      this.#undeliveredAssignment = undefined;
      // Pausing belongs to an assignment (as in the Java consumer): a partition that comes back is unpaused.
      if (this.#paused.size > 0) {
        this.#consumer.resume(byTopic([...this.#paused.values()]));
        this.#paused.clear();
      }
      if (!this.#closed) await this.#options.listener?.onPartitionsRevoked?.(revoked);
    } catch (error) {
      this.#listenerFailure = error;
    } finally {
      this.#revoking = undefined;
      done();
      this.#batches.notify();
    }
  }

  async #deliverAssignment(): Promise<void> {
    const assignment = this.#undeliveredAssignment;
    if (assignment === undefined) return;
    this.#undeliveredAssignment = undefined;
    await this.#options.listener?.onPartitionsAssigned?.(assignment);
  }

  #enterPoll(): void {
    this.#processing = false;
    this.#wakePollWaiters();
  }

  #wakePollWaiters(): void {
    const waiters = this.#pollWaiters;
    this.#pollWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once the engine is done with the records it polled (it polls again), or after `timeoutMs`. */
  #untilProcessed(timeoutMs: number): Promise<void> {
    if (!this.#processing || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#pollWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #throwFailure(): void {
    if (this.#listenerFailure !== undefined) {
      const error = this.#listenerFailure;
      this.#listenerFailure = undefined;
      throw error;
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** One admin for every caller, also concurrent ones; a failed connection is tried again by the next. */
  #connectedAdmin(): Promise<KafkaJsAdmin> {
    if (this.#admin === undefined) {
      const admin = this.#kafka.admin();
      const connecting = mapErrors(this.#context('connect', 'KAFKA_CONSUME_FAILED'), () => admin.connect()).then(
        () => admin,
      );
      this.#admin = connecting;
      connecting.catch(() => {
        if (this.#admin === connecting) this.#admin = undefined;
      });
    }
    return this.#admin;
  }

  #context(operation: string, fallback: ErrorContext['fallback'], topics?: readonly string[]): ErrorContext {
    return { connection: this.#connection, operation, fallback, ...(topics === undefined ? {} : { topics }) };
  }
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = grouped.get(topic) ?? [];
    grouped.set(topic, list);
    list.push(partition);
  }
  return [...grouped].map(([topic, list]) => ({ topic, partitions: list }));
}

/** The promise's value if it settles within `ms`, else undefined. */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function closedError(): KStreamsError {
  return new KStreamsError('KAFKA_CLIENT_CLOSED', 'The consumer is closed.', { hint: 'Create a new consumer.' });
}

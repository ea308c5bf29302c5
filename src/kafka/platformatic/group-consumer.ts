import { Consumer } from '@platformatic/kafka';
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
import { type ErrorContext, mapErrors, toKStreamsError } from './error-mapping.ts';
import { GroupMembership } from './group-membership.ts';
import { commitGroupOffsets, fetchGroupOffsets, resetPositions } from './group-offsets.ts';
import { baseOptions, platformaticDefaults } from './options.ts';
import { PartitionFetcher } from './partition-fetcher.ts';
import { roundRobinAssignor } from './round-robin-assignor.ts';

export function createPlatformaticGroupConsumer(
  connection: ConnectionOptions,
  options: GroupConsumerOptions,
): GroupConsumer {
  return new PlatformaticGroupConsumer(connection, options);
}

const noAssignment: Assignment = { partitions: [], userData: null, generationId: -1, memberId: '' };

/**
 * A pull-based group member. Rebalances run like Java's: a heartbeat notices the coordinator wants one,
 * the next poll (or, if no poll comes within `rejoinGraceMs`, a background task) awaits
 * `onPartitionsRevoked` while this member's generation is still valid for commits, rejoins, reads the
 * start positions and awaits `onPartitionsAssigned` before any record of the new assignment is returned.
 */
class PlatformaticGroupConsumer implements GroupConsumer {
  readonly #connection: ConnectionOptions;
  readonly #options: GroupConsumerOptions;
  readonly #library: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #membership: GroupMembership;
  readonly #fetcher: PartitionFetcher;
  readonly #context: ErrorContext;
  #assignment: Assignment = noAssignment;
  #rejoinNeeded = false;
  #rebalancing: Promise<void> | undefined;
  #polling = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #backgroundError: unknown;
  #connected = false;
  #closed = false;

  constructor(connection: ConnectionOptions, options: GroupConsumerOptions) {
    this.#connection = connection;
    this.#options = options;
    const rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? platformaticDefaults.rebalanceTimeoutMs;
    // The library Consumer is used for metadata, fetches and offset listing only; it never joins.
    this.#library = new Consumer({
      ...baseOptions(connection, `consumer-${options.groupId}`, rebalanceTimeoutMs),
      groupId: options.groupId,
      autocommit: false,
    });
    this.#membership = new GroupMembership(this.#library, {
      groupId: options.groupId,
      topics: options.topics,
      sessionTimeoutMs: options.sessionTimeoutMs ?? platformaticDefaults.sessionTimeoutMs,
      rebalanceTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? platformaticDefaults.heartbeatIntervalMs,
      assignor: options.assignor ?? roundRobinAssignor,
    });
    this.#context = { operation: 'consume', topics: options.topics, groupId: options.groupId };
    this.#fetcher = new PartitionFetcher(this.#library, {
      isolationLevel: options.isolationLevel ?? 'read_uncommitted',
      maxBytes: options.maxBytes ?? platformaticDefaults.fetchMaxBytes,
      partitionMaxBytes: Math.min(options.maxBytes ?? Infinity, platformaticDefaults.partitionMaxBytes),
      maxWaitMs: options.maxWaitMs ?? platformaticDefaults.fetchMaxWaitMs,
      resetOffsets: (partitions) => this.#reset(partitions),
    });
  }

  async connect(): Promise<Assignment> {
    this.#checkOpen('connect');
    if (!this.#connected) {
      await this.#rebalance();
      this.#connected = true;
      this.#membership.startHeartbeats(() => this.#onRejoinNeeded());
    }
    return this.#assignment;
  }

  async poll(options: PollOptions = {}): Promise<readonly ConsumedRecord[]> {
    this.#checkOpen('poll');
    // A poll that joins or rebalances returns once the assignment is announced (see PollOptions).
    if (!this.#connected) {
      await this.connect();
      return [];
    }
    this.#polling = true;
    try {
      this.#throwBackgroundError();
      if (this.#rejoinNeeded || this.#rebalancing) {
        await this.#rebalance();
        return [];
      }
      return await mapErrors(this.#connection, 'consume', this.#context, () =>
        this.#fetcher.poll(
          options.maxRecords ?? platformaticDefaults.maxPollRecords,
          options.timeoutMs ?? platformaticDefaults.pollTimeoutMs,
          () => this.#rejoinNeeded || this.#closed,
        ),
      );
    } finally {
      this.#polling = false;
      if (this.#rejoinNeeded) this.#scheduleBackgroundRejoin();
    }
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.#checkOpen('commit');
    return mapErrors(this.#connection, 'commit', { ...this.#context, operation: 'commit' }, () =>
      commitGroupOffsets(this.#membership, offsets),
    );
  }

  async committed(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]> {
    this.#checkOpen('committed');
    const committed = await mapErrors(this.#connection, 'commit', { ...this.#context, operation: 'committed' }, () =>
      fetchGroupOffsets(this.#membership, partitions, this.#requestTimeout()),
    );
    return partitions.flatMap(({ topic, partition }) => {
      const offset = committed.get(`${topic}:${partition}`);
      return offset === undefined ? [] : [{ topic, partition, offset }];
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.#fetcher.setPaused(partitions, true);
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.#fetcher.setPaused(partitions, false);
  }

  paused(): readonly TopicPartition[] {
    return this.#fetcher.paused();
  }

  seek(position: TopicPartitionOffset): void {
    if (!this.#fetcher.seek(position)) {
      throw new KStreamsError(
        'KAFKA_CONSUME_FAILED',
        `Cannot seek ${position.topic}-${position.partition}: it is not assigned to this member.`,
        { hint: 'Seek only partitions of the current assignment (see onPartitionsAssigned).' },
      );
    }
  }

  assignment(): Assignment {
    return this.#assignment;
  }

  groupMetadata(): ConsumerGroupMetadata {
    return {
      groupId: this.#options.groupId,
      generationId: this.#membership.generationId,
      memberId: this.#membership.memberId,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#graceTimer);
    this.#membership.stopHeartbeats();
    try {
      await this.#rebalancing?.catch(() => undefined);
      await this.#fetcher.settle();
      const owned = this.#assignment.partitions;
      if (this.#connected && owned.length > 0) await this.#options.listener?.onPartitionsRevoked?.(owned);
    } finally {
      this.#assignment = noAssignment;
      await this.#membership.leave();
      await this.#library.close();
    }
  }

  #onRejoinNeeded(): void {
    this.#rejoinNeeded = true;
    if (!this.#polling) this.#scheduleBackgroundRejoin();
  }

  /** When the engine is not polling, the rebalance must still happen before the rebalance timeout. */
  #scheduleBackgroundRejoin(): void {
    if (this.#graceTimer || this.#closed) return;
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      if (this.#polling || this.#closed || !this.#rejoinNeeded) return;
      this.#rebalance().catch((error: unknown) => {
        this.#backgroundError = error;
      });
    }, platformaticDefaults.rejoinGraceMs);
  }

  /** One rebalance at a time: revoke (awaited), rejoin, read positions, announce the assignment. */
  #rebalance(): Promise<void> {
    this.#rebalancing ??= this.#runRebalance().finally(() => {
      this.#rebalancing = undefined;
    });
    return this.#rebalancing;
  }

  async #runRebalance(): Promise<void> {
    this.#rejoinNeeded = false;
    const context = { ...this.#context, operation: 'join group' };
    await this.#fetcher.settle();
    const owned = this.#assignment.partitions;
    if (this.#connected && owned.length > 0) await this.#options.listener?.onPartitionsRevoked?.(owned);
    try {
      const assignment = await this.#membership.join();
      const committed = await fetchGroupOffsets(this.#membership, assignment.partitions, this.#requestTimeout());
      const missing = assignment.partitions.filter((tp) => !committed.has(`${tp.topic}:${tp.partition}`));
      const reset = await this.#reset(missing);
      const positions = [
        ...assignment.partitions.flatMap(({ topic, partition }) => {
          const offset = committed.get(`${topic}:${partition}`);
          return offset === undefined ? [] : [{ topic, partition, offset }];
        }),
        ...reset,
      ];
      this.#fetcher.assign(positions);
      this.#assignment = assignment;
    } catch (error) {
      this.#assignment = noAssignment;
      this.#fetcher.assign([]);
      throw toKStreamsError(error, this.#connection, 'consume', context);
    }
    await this.#options.listener?.onPartitionsAssigned?.(this.#assignment);
  }

  #reset(partitions: readonly TopicPartition[]) {
    return resetPositions(
      this.#library,
      partitions,
      this.#options.offsetReset ?? 'earliest',
      this.#options.isolationLevel ?? 'read_uncommitted',
    );
  }

  #requestTimeout(): number {
    return this.#connection.requestTimeoutMs ?? platformaticDefaults.requestTimeoutMs;
  }

  #throwBackgroundError(): void {
    if (this.#backgroundError === undefined) return;
    const error = this.#backgroundError;
    this.#backgroundError = undefined;
    throw toKStreamsError(error, this.#connection, 'consume', this.#context);
  }

  #checkOpen(operation: string): void {
    if (this.#closed) {
      throw new KStreamsError(
        'KAFKA_CLIENT_CLOSED',
        `The consumer of group "${this.#options.groupId}" is closed (${operation}).`,
        {
          hint: 'Create a new consumer; a closed one cannot be used again.',
        },
      );
    }
  }
}

/**
 * The Kafka client port: the only way the rest of kstreams talks to Kafka. Adapters (platformatic/,
 * kafkajs/) implement it; the engine and the test driver depend on these types only. Keys, values and
 * header values are bytes: serdes live above this layer.
 *
 * Offsets are JavaScript numbers: exact up to 2^53, far beyond any real partition's offset, and cheaper
 * than bigint on the hot path.
 */

export interface Header {
  readonly key: string;
  readonly value: Buffer;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset in Kafka's convention: the offset of the next record to read. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

export interface ProducerRecord {
  readonly topic: string;
  /** When absent, the partition is chosen by the Java-compatible murmur2 partitioner (keyed records). */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly Header[];
  /** Milliseconds since the epoch; defaults to now. */
  readonly timestamp?: number;
}

export interface RecordMetadata extends TopicPartition {
  /** The offset the broker gave this record. */
  readonly offset: number;
}

/** A transaction the broker reports aborted in a fetched range (read_committed fetches). */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: number;
}

/** Inflates the records of a compressed batch (the adapter's library has the codecs). */
export type Decompress = (codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd', data: Buffer) => Buffer;

/**
 * One partition's fetched record batches, undecoded: read them in place with a `RecordBatchCursor`
 * (record-batches.ts), which allocates nothing per record.
 */
export interface FetchedRecordBatches extends TopicPartition {
  /** The record batches as the broker sent them; a batch cut off at the end is not read. */
  readonly bytes: Buffer;
  /** The fetch offset: records before it (the head of the first batch) are skipped. */
  readonly from: number;
  readonly readCommitted: boolean;
  readonly abortedTransactions: readonly AbortedTransaction[];
  readonly decompress: Decompress;
}

export interface ConsumedRecord extends TopicPartitionOffset {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly Header[];
  readonly timestamp: number;
}

/** The group identity sent with offsets in a transaction (KIP-447), so zombies are fenced. */
export interface ConsumerGroupMetadata {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | undefined;
}

export const isolationLevels = ['read_uncommitted', 'read_committed'] as const;
export type IsolationLevel = (typeof isolationLevels)[number];

export const offsetResets = ['earliest', 'latest', 'none'] as const;
export type OffsetReset = (typeof offsetResets)[number];

export interface SaslOptions {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

export interface ConnectionOptions {
  /** host:port pairs. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: SaslOptions;
  readonly ssl?: boolean;
  /** Bound on establishing a connection and on each request, in milliseconds. */
  readonly requestTimeoutMs?: number;
}

export interface ProducerOptions {
  /** Idempotent writes (the default): no duplicates from producer retries. */
  readonly idempotent?: boolean;
  /** Set to enable transactions; one id per producer instance that must never run twice at once. */
  readonly transactionalId?: string;
  /** How long records may wait to be batched, in milliseconds. */
  readonly lingerMs?: number;
  readonly compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

export interface Transaction {
  send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]>;
  /** Adds consumer offsets to the transaction: they commit if and only if the transaction commits. */
  sendOffsets(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface Producer {
  /** Sends records and resolves once all of them are acknowledged by all in-sync replicas (acks=all). */
  send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]>;
  /** Starts a transaction; only for producers created with a transactionalId. */
  beginTransaction(): Promise<Transaction>;
  close(): Promise<void>;
}

/** One member's subscription as the group leader sees it. */
export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
}

export interface MemberAssignment {
  readonly partitions: readonly TopicPartition[];
  readonly userData: Buffer | null;
}

/**
 * A custom partition assignor (Kafka's ConsumerPartitionAssignor). The engine's Streams assignor plugs in
 * here; subscription user data reaches the leader and each member's assignment user data reaches it.
 */
export interface PartitionAssignor {
  readonly name: string;
  /** This member's subscription user data, asked for at every join. */
  subscriptionUserData(topics: readonly string[]): Buffer | null;
  /** Runs on the leader only. `partitionCounts` has every subscribed topic. */
  assign(
    members: readonly MemberSubscription[],
    partitionCounts: ReadonlyMap<string, number>,
  ): ReadonlyMap<string, MemberAssignment>;
}

export interface Assignment {
  readonly partitions: readonly TopicPartition[];
  /** The user data the leader's assignor gave this member. */
  readonly userData: Buffer | null;
  readonly generationId: number;
  readonly memberId: string;
}

export interface RebalanceListener {
  /** Called before the partitions are given up, while offsets can still be committed. Awaited. */
  onPartitionsRevoked?(partitions: readonly TopicPartition[]): Promise<void> | void;
  /** Called once the member has its new assignment, before the next poll returns records of it. */
  onPartitionsAssigned?(assignment: Assignment): Promise<void> | void;
}

export interface GroupConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly isolationLevel?: IsolationLevel;
  /** Where to start when the group has no committed offset for a partition. Default: earliest. */
  readonly offsetReset?: OffsetReset;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** Upper bound on the bytes of one fetch; bounds memory together with maxPollRecords. */
  readonly maxBytes?: number;
  readonly maxWaitMs?: number;
  readonly assignor?: PartitionAssignor;
  readonly listener?: RebalanceListener;
}

/**
 * A group consumer's poll that joins the group or rebalances returns right after the listener's
 * onPartitionsAssigned, with no records: the caller prepares the new partitions (restores their state)
 * before waiting for records it could not process yet.
 */
export interface PollOptions {
  /** At most this many records are returned. Default 500. */
  readonly maxRecords?: number;
  /** Resolve with an empty batch after this long without records. Default 1000. */
  readonly timeoutMs?: number;
}

/**
 * A group member with a pull interface: the engine polls a bounded batch, processes it, then polls again;
 * nothing is fetched ahead without bound. Offsets are committed only when the engine says so.
 */
export interface GroupConsumer {
  /** Joins the group and resolves once the first assignment is known. */
  connect(): Promise<Assignment>;
  poll(options?: PollOptions): Promise<readonly ConsumedRecord[]>;
  /** Commits offsets in Kafka's convention (next offset to read = last processed + 1). */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  committed(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]>;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  paused(): readonly TopicPartition[];
  /** The next poll returns records of this partition from this offset. */
  seek(position: TopicPartitionOffset): void;
  assignment(): Assignment;
  groupMetadata(): ConsumerGroupMetadata;
  close(): Promise<void>;
}

export interface AssignedConsumerOptions {
  readonly isolationLevel?: IsolationLevel;
  readonly maxBytes?: number;
  readonly maxWaitMs?: number;
}

/** A consumer without a group (for changelog restoration): the caller chooses partitions and offsets. */
export interface AssignedConsumer {
  /** Replaces the assignment; each partition is read from its given offset. */
  assign(positions: readonly TopicPartitionOffset[]): Promise<void>;
  seek(position: TopicPartitionOffset): void;
  /**
   * Stops fetching these partitions and drops what is buffered of them (restoration pauses each changelog
   * partition read to its end, so fetches are not held at the broker waiting for data it will not read).
   * A later assign or seek of a partition resumes it.
   */
  pause(partitions: readonly TopicPartition[]): void;
  poll(options?: PollOptions): Promise<readonly ConsumedRecord[]>;
  /**
   * Like poll, but answers with each partition's fetched record batches undecoded (at most one fetch
   * response's worth; `maxRecords` does not apply), and each returned partition's position moves past
   * them. Restoration's path: changelog records go from the fetch straight into a store's write batch.
   * Undefined when this consumer cannot fetch undecoded batches (its library or the broker): use poll.
   */
  pollBatches?(options?: PollOptions): Promise<readonly FetchedRecordBatches[] | undefined>;
  /** The offset after the last record (the high watermark; the last stable offset under read_committed). */
  endOffsets(partitions: readonly TopicPartition[]): Promise<readonly TopicPartitionOffset[]>;
  close(): Promise<void>;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  /** Defaults to the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** Subscription user data, decoded from the consumer protocol metadata. */
  readonly subscriptionUserData: Buffer | null;
  readonly assignment: readonly TopicPartition[];
  readonly assignmentUserData: Buffer | null;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Dead, Empty, Stable, PreparingRebalance, CompletingRebalance. */
  readonly state: string;
  readonly protocol: string;
  readonly members: readonly GroupMemberDescription[];
}

export const offsetSpecs = ['earliest', 'latest'] as const;
export type OffsetSpec = (typeof offsetSpecs)[number];

export interface Admin {
  /** Creates topics; with `ignoreExisting`, a topic that already exists is not an error. */
  createTopics(topics: readonly NewTopic[], options?: { readonly ignoreExisting?: boolean }): Promise<void>;
  /** Fails with KAFKA_TOPIC_NOT_FOUND naming the first missing topic. */
  describeTopics(names: readonly string[]): Promise<readonly TopicDescription[]>;
  /** The topic's effective configuration (explicit and default entries). */
  describeTopicConfig(name: string): Promise<Readonly<Record<string, string>>>;
  listTopics(): Promise<readonly string[]>;
  deleteTopics(names: readonly string[]): Promise<void>;
  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<readonly TopicPartitionOffset[]>;
  describeGroups(groupIds: readonly string[]): Promise<readonly GroupDescription[]>;
  /** The group's committed offsets for the given topics (partitions without one are left out). */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<readonly TopicPartitionOffset[]>;
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export const adapterNames = ['platformatic', 'kafkajs'] as const;
export type AdapterName = (typeof adapterNames)[number];

/** The one seam through which clients are made (Kafka Streams' KafkaClientSupplier). */
export interface KafkaClient {
  readonly adapter: AdapterName;
  readonly connection: ConnectionOptions;
  producer(options?: ProducerOptions): Producer;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
  assignedConsumer(options?: AssignedConsumerOptions): AssignedConsumer;
  admin(): Admin;
}

import { type Consumer, FetchIsolationLevels, type fetchV17 } from '@platformatic/kafka';
import { nextOffsetAfter } from '../record-batches.ts';
import type {
  ConsumedRecord,
  FetchedRecordBatches,
  IsolationLevel,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import { protocolErrorId } from './error-mapping.ts';
import { decodeFetchedPartition } from './fetched-records.ts';
import { platformaticDecompress, type RawFetchResponse, rawFetch, rawFetchVersion } from './raw-fetch.ts';

export interface FetcherOptions {
  readonly isolationLevel: IsolationLevel;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  readonly maxWaitMs: number;
  /** Where to continue when a position is out of range (e.g. deleted by retention). */
  readonly resetOffsets: (partitions: readonly TopicPartition[]) => Promise<readonly TopicPartitionOffset[]>;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** The next offset poll returns. */
  position: number;
  /** The next offset to fetch; ahead of `position` while records are buffered. */
  fetchOffset: number;
  buffer: ConsumedRecord[];
  /** Fetched undecoded (pollBatches): the partition's record batches not yet handed out. */
  batches: FetchedRecordBatches | undefined;
  paused: boolean;
  /** Bumped by seek and reassignment so a fetch answered afterwards is dropped. */
  epoch: number;
}

const offsetOutOfRange = 1;
const idleWaitMs = 50;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The pull side of both consumers: fetches assigned, unpaused partitions from their leaders and hands
 * out bounded batches. A partition is fetched only when nothing of it is buffered, and at most one fetch
 * is in flight, so memory stays within about one fetch response. Records of a paused partition stay
 * buffered until it is resumed; a seek drops them.
 */
export class PartitionFetcher {
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #options: FetcherOptions;
  #partitions = new Map<string, PartitionState>();
  #inFlight: Promise<void> | undefined;
  #fetchError: unknown;
  #nextStart = 0;
  // Whether fetches leave record batches undecoded (pollBatches) or decode them (poll); the Fetch version
  // for undecoded fetches once known, 0 when the broker has none (see rawFetchVersion).
  #undecoded = false;
  #rawVersion: number | undefined;
  #staleMetadata = false;

  constructor(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, options: FetcherOptions) {
    this.#consumer = consumer;
    this.#options = options;
  }

  assign(positions: readonly TopicPartitionOffset[]): void {
    const previous = this.#partitions;
    this.#partitions = new Map();
    for (const { topic, partition, offset } of positions) {
      const old = previous.get(partitionKey(topic, partition));
      this.#partitions.set(partitionKey(topic, partition), {
        topic,
        partition,
        position: offset,
        fetchOffset: offset,
        buffer: [],
        batches: undefined,
        paused: old?.paused ?? false,
        epoch: (old?.epoch ?? 0) + 1,
      });
    }
  }

  assigned(): readonly TopicPartition[] {
    return [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  has(topic: string, partition: number): boolean {
    return this.#partitions.has(partitionKey(topic, partition));
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): boolean {
    const state = this.#partitions.get(partitionKey(topic, partition));
    if (!state) return false;
    state.position = offset;
    state.fetchOffset = offset;
    state.buffer = [];
    state.batches = undefined;
    state.epoch++;
    return true;
  }

  /** Forgets what is buffered of a partition; its next fetch starts after what poll returned. */
  dropBuffered({ topic, partition }: TopicPartition): void {
    const state = this.#partitions.get(partitionKey(topic, partition));
    if (!state || (state.buffer.length === 0 && state.batches === undefined)) return;
    state.buffer = [];
    state.batches = undefined;
    state.fetchOffset = state.position;
    state.epoch++;
  }

  setPaused(partitions: readonly TopicPartition[], paused: boolean): void {
    for (const { topic, partition } of partitions) {
      const state = this.#partitions.get(partitionKey(topic, partition));
      if (state) state.paused = paused;
    }
  }

  paused(): readonly TopicPartition[] {
    return [...this.#partitions.values()].filter((s) => s.paused).map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Waits for a fetch in flight to land (before a rebalance or close). */
  async settle(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
  }

  /** Returns up to `maxRecords` records, waiting at most `timeoutMs` for some to arrive. */
  poll(maxRecords: number, timeoutMs: number, interrupted: () => boolean): Promise<ConsumedRecord[]> {
    this.#setUndecoded(false);
    return this.#takeWithin(timeoutMs, interrupted, () => {
      const records = this.#drain(maxRecords);
      if (records.length > 0 && this.#bufferedCount() < maxRecords) this.#startFetch();
      return records;
    });
  }

  /**
   * Returns the record batches fetched for each unpaused partition, undecoded, waiting at most `timeoutMs`
   * for some; undefined when the broker has no Fetch version read undecoded.
   */
  async pollBatches(timeoutMs: number, interrupted: () => boolean): Promise<FetchedRecordBatches[] | undefined> {
    this.#rawVersion ??= (await rawFetchVersion(this.#consumer)) ?? 0;
    if (this.#rawVersion === 0) return undefined;
    this.#setUndecoded(true);
    return this.#takeWithin(timeoutMs, interrupted, () => {
      const batches = this.#drainBatches();
      // The next fetch is read while the caller works through these.
      if (batches.length > 0) this.#startFetch();
      return batches;
    });
  }

  /** What `take` answers once it answers something, fetching meanwhile; nothing after `timeoutMs`. */
  async #takeWithin<T>(timeoutMs: number, interrupted: () => boolean, take: () => T[]): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#throwFetchError();
      const taken = take();
      if (taken.length > 0) return taken;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || interrupted()) return [];
      this.#startFetch(remaining);
      const flight = this.#inFlight;
      await raceTimeout(flight, flight ? remaining : Math.min(remaining, idleWaitMs));
    }
  }

  // Switching between decoded and undecoded fetches drops what is buffered in the other form, and the
  // answer of a fetch in flight: each partition is fetched again from what was handed out.
  #setUndecoded(undecoded: boolean): void {
    if (this.#undecoded === undecoded) return;
    this.#undecoded = undecoded;
    for (const state of this.#partitions.values()) {
      state.buffer = [];
      state.batches = undefined;
      state.fetchOffset = state.position;
      state.epoch++;
    }
  }

  #drainBatches(): FetchedRecordBatches[] {
    const out: FetchedRecordBatches[] = [];
    for (const state of this.#partitions.values()) {
      if (state.paused || state.batches === undefined) continue;
      out.push(state.batches);
      state.batches = undefined;
      state.position = state.fetchOffset;
    }
    return out;
  }

  #throwFetchError(): void {
    if (this.#fetchError === undefined) return;
    const error = this.#fetchError;
    this.#fetchError = undefined;
    throw error;
  }

  #bufferedCount(): number {
    let count = 0;
    for (const state of this.#partitions.values()) if (!state.paused) count += state.buffer.length;
    return count;
  }

  /** Takes records from unpaused partitions, starting with a different partition each time for fairness. */
  #drain(maxRecords: number): ConsumedRecord[] {
    const states = [...this.#partitions.values()];
    const out: ConsumedRecord[] = [];
    for (let i = 0; i < states.length && out.length < maxRecords; i++) {
      const state = states[(this.#nextStart + i) % states.length]!;
      if (state.paused || state.buffer.length === 0) continue;
      const taken = state.buffer.splice(0, maxRecords - out.length);
      for (const record of taken) out.push(record);
      state.position = taken[taken.length - 1]!.offset + 1;
    }
    this.#nextStart = states.length === 0 ? 0 : (this.#nextStart + 1) % states.length;
    return out;
  }

  #startFetch(maxWaitMs = this.#options.maxWaitMs): void {
    if (this.#inFlight) return;
    const wanted = [...this.#partitions.values()].filter(
      (s) => !s.paused && s.buffer.length === 0 && s.batches === undefined,
    );
    if (wanted.length === 0) return;
    const waitMs = Math.max(0, Math.min(maxWaitMs, this.#options.maxWaitMs));
    const flight = this.#fetch(wanted, waitMs).catch((error: unknown) => {
      this.#fetchError = error;
    });
    this.#inFlight = flight;
    void flight.finally(() => {
      if (this.#inFlight === flight) this.#inFlight = undefined;
    });
  }

  async #fetch(wanted: readonly PartitionState[], maxWaitMs: number): Promise<void> {
    const topics = [...new Set(wanted.map((s) => s.topic))];
    const forceUpdate = this.#staleMetadata;
    this.#staleMetadata = false;
    const metadata = await this.#consumer.metadata({ topics, forceUpdate });
    const byNode = new Map<number, Map<string, fetchV17.FetchRequestPartition[]>>();
    const requested = new Map<string, { state: PartitionState; epoch: number; fetchOffset: number }>();
    const topicNames = new Map<string, string>();
    for (const state of wanted) {
      const topicMetadata = metadata.topics.get(state.topic);
      const leader = topicMetadata?.partitions[state.partition]?.leader;
      if (!topicMetadata || leader === undefined) continue;
      topicNames.set(topicMetadata.id, state.topic);
      const node = byNode.get(leader) ?? new Map<string, fetchV17.FetchRequestPartition[]>();
      byNode.set(leader, node);
      const list = node.get(topicMetadata.id) ?? [];
      node.set(topicMetadata.id, list);
      list.push({
        partition: state.partition,
        currentLeaderEpoch: -1,
        fetchOffset: BigInt(state.fetchOffset),
        lastFetchedEpoch: -1,
        partitionMaxBytes: this.#options.partitionMaxBytes,
      });
      requested.set(partitionKey(state.topic, state.partition), {
        state,
        epoch: state.epoch,
        fetchOffset: state.fetchOffset,
      });
    }
    const isolationLevel =
      this.#options.isolationLevel === 'read_committed'
        ? FetchIsolationLevels.READ_COMMITTED
        : FetchIsolationLevels.READ_UNCOMMITTED;
    const undecoded = this.#undecoded;
    const rawVersion = this.#rawVersion;
    await Promise.all(
      [...byNode].map(async ([node, partitionsByTopic]) => {
        const topicsRequest = [...partitionsByTopic].map(([topicId, partitions]) => ({ topicId, partitions }));
        if (undecoded && rawVersion !== undefined && rawVersion > 0) {
          const broker = metadata.brokers.get(node);
          if (broker === undefined) {
            this.#staleMetadata = true;
            return;
          }
          // No fetch session (id 0, epoch -1): every request names its partitions in full.
          const response = await rawFetch(this.#consumer, rawVersion, broker, [
            maxWaitMs,
            1,
            this.#options.maxBytes,
            isolationLevel,
            0,
            -1,
            topicsRequest,
            [],
            '',
          ]);
          await this.#storeBatches(response, topicNames, requested);
          return;
        }
        let response: fetchV17.FetchResponse;
        try {
          response = await this.#consumer.fetch({
            node,
            topics: topicsRequest,
            maxWaitTime: maxWaitMs,
            minBytes: 1,
            maxBytes: this.#options.maxBytes,
            isolationLevel,
          });
        } catch (error) {
          const partial = (error as { response?: fetchV17.FetchResponse }).response;
          if (protocolErrorId(error) !== 'OFFSET_OUT_OF_RANGE' || !partial) throw error;
          await this.#resetOutOfRange(partial, topicNames, requested);
          return;
        }
        this.#store(response, topicNames, requested);
      }),
    );
  }

  #store(
    response: fetchV17.FetchResponse,
    topicNames: ReadonlyMap<string, string>,
    requested: ReadonlyMap<string, { state: PartitionState; epoch: number; fetchOffset: number }>,
  ): void {
    const readCommitted = this.#options.isolationLevel === 'read_committed';
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const partitionResponse of topicResponse.partitions) {
        const request = requested.get(partitionKey(topic, partitionResponse.partitionIndex));
        if (!request || partitionResponse.errorCode !== 0) continue;
        const { state, epoch, fetchOffset } = request;
        // A seek or reassignment since the request makes this answer stale.
        if (this.#partitions.get(partitionKey(topic, state.partition)) !== state || state.epoch !== epoch) continue;
        const decoded = decodeFetchedPartition(topic, state.partition, partitionResponse, fetchOffset, readCommitted);
        state.buffer = decoded.records;
        state.fetchOffset = decoded.nextFetchOffset;
      }
    }
  }

  async #storeBatches(
    response: RawFetchResponse,
    topicNames: ReadonlyMap<string, string>,
    requested: ReadonlyMap<string, { state: PartitionState; epoch: number; fetchOffset: number }>,
  ): Promise<void> {
    const readCommitted = this.#options.isolationLevel === 'read_committed';
    const outOfRange: TopicPartition[] = [];
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const partitionResponse of topicResponse.partitions) {
        const partition = partitionResponse.partitionIndex;
        const request = requested.get(partitionKey(topic, partition));
        if (!request) continue;
        if (partitionResponse.errorCode === offsetOutOfRange) outOfRange.push({ topic, partition });
        // Another error (a leader moved, a topic id changed): fetched again after a metadata refresh.
        if (partitionResponse.errorCode !== 0) this.#staleMetadata = true;
        const { state, epoch, fetchOffset } = request;
        if (partitionResponse.errorCode !== 0 || partitionResponse.records.length === 0) continue;
        if (this.#partitions.get(partitionKey(topic, partition)) !== state || state.epoch !== epoch) continue;
        const next = nextOffsetAfter(partitionResponse.records, fetchOffset);
        if (next === fetchOffset) continue;
        state.batches = {
          topic,
          partition,
          bytes: partitionResponse.records,
          from: fetchOffset,
          readCommitted,
          abortedTransactions: partitionResponse.abortedTransactions,
          decompress: platformaticDecompress,
        };
        state.fetchOffset = next;
      }
    }
    await this.#reset(outOfRange, requested);
  }

  async #resetOutOfRange(
    response: fetchV17.FetchResponse,
    topicNames: ReadonlyMap<string, string>,
    requested: ReadonlyMap<string, { state: PartitionState; epoch: number; fetchOffset: number }>,
  ): Promise<void> {
    const outOfRange: TopicPartition[] = [];
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const p of topicResponse.partitions) {
        if (p.errorCode === offsetOutOfRange) outOfRange.push({ topic, partition: p.partitionIndex });
      }
    }
    await this.#reset(outOfRange, requested);
  }

  /** Moves partitions whose position fell out of range to the reset offsets, unless sought since. */
  async #reset(
    outOfRange: readonly TopicPartition[],
    requested: ReadonlyMap<string, { state: PartitionState; epoch: number; fetchOffset: number }>,
  ): Promise<void> {
    if (outOfRange.length === 0) return;
    const reset = await this.#options.resetOffsets(outOfRange);
    for (const position of reset) {
      const request = requested.get(partitionKey(position.topic, position.partition));
      if (request && request.state.epoch === request.epoch) this.seek(position);
    }
  }
}

async function raceTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race(promise ? [promise, timeout] : [timeout]);
  clearTimeout(timer);
}

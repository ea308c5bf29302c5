import { KStreamsError } from '../errors.ts';
import type { AssignedConsumer, TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import type { BytesWrite } from '../state/bytes-store.ts';
import type { StateStore } from '../state/state-store.ts';
import { changelogSourceBytes } from './changelog-records.ts';
import type { Logger } from './logger.ts';

/** A logged store of a task and its changelog partition. */
export interface RestorableStore {
  readonly store: StateStore;
  readonly changelog: TopicPartition;
}

export interface RestoreOptions {
  /** The restore consumer (never the group consumer); the caller closes it. */
  readonly consumer: Pick<AssignedConsumer, 'assign' | 'poll' | 'endOffsets'>;
  /** The log start offsets of the changelog partitions (admin ListOffsets earliest). */
  readonly earliestOffsets: (partitions: readonly TopicPartition[]) => Promise<readonly TopicPartitionOffset[]>;
  /** The task's input partitions, and the group's committed offsets of those that have one. */
  readonly inputPartitions: readonly TopicPartition[];
  readonly committed: readonly TopicPartitionOffset[];
  /**
   * At-least-once: skip changelog records whose source offset is not committed, since reprocessing the
   * input applies them again (default true).
   */
  readonly skipUncommittedSources?: boolean;
  readonly logger: Logger;
  readonly task: string;
  readonly wallClock?: () => number;
  /** Records per poll, and so per store write batch at most (default 20000). */
  readonly batchRecords?: number;
  /** How often progress is logged (default 10 s). */
  readonly progressIntervalMs?: number;
  /** Fail when no record arrives for this long while records remain (default 60 s). */
  readonly stallTimeoutMs?: number;
}

export interface RestoreResult {
  /** Changelog records written to the stores. */
  readonly restored: number;
  /** Changelog records skipped because their source offset was not committed. */
  readonly skipped: number;
  /** Stores wiped because their stored offset was outside the changelog (truncated or recreated topic). */
  readonly wiped: readonly string[];
}

interface RestorePlan {
  readonly target: RestorableStore;
  readonly end: number;
  position: number;
  writes: BytesWrite[];
  // The batch being written: the next poll is read meanwhile, and it is awaited before the next batch.
  writing: Promise<void> | undefined;
}

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * Brings a task's logged stores up to their changelogs' end before the task processes a record: from the
 * offset each store keeps (or the start) to the end offset seen now, in large batches, each written to the
 * store together with the next changelog offset. A stored offset outside the changelog (the topic was
 * truncated, deleted or recreated) wipes that store and restores it from the start.
 */
export async function restoreTaskStores(
  stores: readonly RestorableStore[],
  options: RestoreOptions,
): Promise<RestoreResult> {
  const wiped: string[] = [];
  if (stores.length === 0) return { restored: 0, skipped: 0, wiped };
  const partitions = stores.map((s) => s.changelog);
  const [ends, earliest] = await Promise.all([
    options.consumer.endOffsets(partitions),
    options.earliestOffsets(partitions),
  ]);
  const endOf = new Map(ends.map((o) => [key(o), o.offset]));
  const startOf = new Map(earliest.map((o) => [key(o), o.offset]));

  const plans = new Map<string, RestorePlan>();
  for (const target of stores) {
    const end = endOf.get(key(target.changelog)) ?? 0;
    const logStart = startOf.get(key(target.changelog)) ?? 0;
    let position = target.store.changelogOffset?.();
    if (position !== undefined && (position < logStart || position > end)) {
      options.logger.warn('A store is ahead of or behind its changelog; wiping it to restore from the start.', {
        task: options.task,
        store: target.store.name,
        changelog: target.changelog.topic,
        partition: target.changelog.partition,
        storedOffset: position,
        logStartOffset: logStart,
        endOffset: end,
      });
      await target.store.wipe?.();
      wiped.push(target.store.name);
      position = undefined;
    }
    position ??= logStart;
    if (position < end) plans.set(key(target.changelog), { target, end, position, writes: [], writing: undefined });
  }
  if (plans.size === 0) return { restored: 0, skipped: 0, wiped };

  const skip = uncommittedSourceFilter(options);
  const clock = options.wallClock ?? Date.now;
  const started = clock();
  const total = [...plans.values()].reduce((sum, p) => sum + (p.end - p.position), 0);
  let restored = 0;
  let skipped = 0;
  let lastLog = started;
  let lastProgress = started;
  options.logger.info('Restoring state stores from their changelogs.', {
    task: options.task,
    stores: [...plans.values()].map((p) => p.target.store.name),
    records: total,
  });

  await options.consumer.assign([...plans.values()].map((p) => ({ ...p.target.changelog, offset: p.position })));
  const open = new Set(plans.values());
  try {
    while (open.size > 0) {
      const records = await options.consumer.poll({ maxRecords: options.batchRecords ?? 20_000, timeoutMs: 500 });
      const touched = new Set<RestorePlan>();
      // Polls return runs of one partition: look the plan up only when the partition changes.
      let plan: RestorePlan | undefined;
      for (const record of records) {
        if (plan?.target.changelog.partition !== record.partition || plan.target.changelog.topic !== record.topic) {
          plan = plans.get(key(record));
          if (plan === undefined) continue;
        }
        if (record.offset < plan.position || record.offset >= plan.end) continue;
        plan.position = record.offset + 1;
        touched.add(plan);
        if (record.key === null) continue;
        if (skip(record.headers)) {
          skipped++;
          continue;
        }
        plan.writes.push({ key: record.key, value: record.value });
      }
      for (const touchedPlan of touched) {
        restored += touchedPlan.writes.length;
        await writeBatch(touchedPlan);
        if (touchedPlan.position >= touchedPlan.end) open.delete(touchedPlan);
      }
      const now = clock();
      if (touched.size > 0) lastProgress = now;
      else if (now - lastProgress > (options.stallTimeoutMs ?? 60_000)) throw stalled(options.task, open);
      if (open.size > 0 && now - lastLog >= (options.progressIntervalMs ?? 10_000)) {
        lastLog = now;
        options.logger.info('Restoring state stores.', {
          task: options.task,
          remaining: [...open].reduce((sum, p) => sum + (p.end - p.position), 0),
          recordsPerSecond: rate(restored + skipped, now - started),
        });
      }
    }
  } finally {
    // Nothing may still write to a store once this returns (the caller may close or wipe it).
    await Promise.allSettled([...plans.values()].map((p) => p.writing));
  }
  // Surfaces a failure of each store's last batch.
  for (const plan of plans.values()) await plan.writing;
  const elapsedMs = clock() - started;
  options.logger.info('Restored state stores.', {
    task: options.task,
    restored,
    skipped,
    elapsedMs,
    recordsPerSecond: rate(restored + skipped, elapsedMs),
  });
  return { restored, skipped, wiped };
}

/**
 * Starts writing the plan's batch with its position once the previous batch is written. Only the batch
 * that completes the store waits for the disk sync: data and offset commit atomically, so a power loss
 * mid-restore rolls the store back to an earlier offset, from which the next restore continues.
 */
async function writeBatch(plan: RestorePlan): Promise<void> {
  await plan.writing;
  const writing = plan.target.store.restore?.(plan.writes, plan.position, { durable: plan.position >= plan.end });
  // Awaited later (next batch or the end); until then a failure must not count as unhandled.
  writing?.catch(() => undefined);
  plan.writing = writing;
  plan.writes = [];
}

/**
 * True for a changelog record made while processing an input record whose offset the group has not
 * committed: under at-least-once that input is processed again and makes the change again.
 */
function uncommittedSourceFilter(options: RestoreOptions): (headers: RestoreHeaders) => boolean {
  if (options.skipUncommittedSources === false) return () => false;
  // Per input topic (its name as bytes, compared without decoding): committed offset by partition, null
  // for an input partition without a committed offset.
  const inputs: { readonly name: Buffer; readonly committed: Map<number, number | null> }[] = [];
  for (const tp of options.inputPartitions) {
    let topic = inputs.find((t) => t.name.toString() === tp.topic);
    if (topic === undefined) {
      topic = { name: Buffer.from(tp.topic), committed: new Map() };
      inputs.push(topic);
    }
    const committed = options.committed.find((o) => o.topic === tp.topic && o.partition === tp.partition);
    topic.committed.set(tp.partition, committed?.offset ?? null);
  }
  return (headers) => {
    if (headers.length === 0) return false;
    const source = changelogSourceBytes(headers);
    if (source === undefined) return false;
    const next = inputs.find((t) => t.name.equals(source.topic))?.committed.get(source.partition);
    // A change from elsewhere (another topology version) cannot be judged: keep it.
    if (next === undefined) return false;
    return next === null || source.offset >= next;
  };
}

type RestoreHeaders = Parameters<typeof changelogSourceBytes>[0];

function rate(records: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? records : Math.round((records * 1000) / elapsedMs);
}

function stalled(task: string, open: ReadonlySet<RestorePlan>): KStreamsError {
  const where = [...open]
    .map((p) => `${p.target.changelog.topic}-${p.target.changelog.partition} at ${p.position} of ${p.end}`)
    .join(', ');
  return new KStreamsError('KAFKA_CONSUME_FAILED', `Restoring task ${task} made no progress: ${where}.`, {
    hint: 'Check that the broker is reachable and the changelog topics are readable; the task restores again after a restart.',
    retriable: true,
  });
}

import { KStreamsError } from '../errors.ts';
import { RecordBatchCursor } from '../kafka/record-batches.ts';
import type { AssignedConsumer, Header, TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import { PackedWritesBuilder } from '../state/packed-writes.ts';
import type { StateStore } from '../state/state-store.ts';
import {
  changelogSourceHeader,
  readChangelogSource,
  readChangelogSourceAt,
  type SourcePosition,
} from './changelog-records.ts';
import type { Logger } from './logger.ts';
import type { ThreadMetrics } from './thread-metrics.ts';

/** A logged store of a task and its changelog partition. */
export interface RestorableStore {
  readonly store: StateStore;
  readonly changelog: TopicPartition;
}

/** A task waiting for its logged stores, with what judges its changelog records' sources. */
export interface RestoringTask {
  readonly task: string;
  readonly stores: readonly RestorableStore[];
  /** The task's input partitions, and the group's committed offsets of those that have one. */
  readonly inputPartitions: readonly TopicPartition[];
  readonly committed: readonly TopicPartitionOffset[];
}

export interface RestoreTasksOptions {
  /** The restore consumer (never the group consumer); the caller closes it. */
  readonly consumer: Pick<AssignedConsumer, 'assign' | 'poll' | 'endOffsets'> &
    Partial<Pick<AssignedConsumer, 'pause' | 'pollBatches'>>;
  /** The log start offsets of the changelog partitions (admin ListOffsets earliest). */
  readonly earliestOffsets: (partitions: readonly TopicPartition[]) => Promise<readonly TopicPartitionOffset[]>;
  /**
   * At-least-once: skip changelog records whose source offset is not committed, since reprocessing the
   * input applies them again (default true).
   */
  readonly skipUncommittedSources?: boolean;
  readonly logger: Logger;
  readonly wallClock?: () => number;
  /** Records per store write batch at least, unless the store is complete, and per poll x 5 (default 4000). */
  readonly batchRecords?: number;
  /** Packed bytes (keys, values, 9 per record) that also complete a store's write batch (default 1 MiB). */
  readonly batchBytes?: number;
  /** Write batches of one store handed to it before the oldest must be written (default 16). */
  readonly writeBatchesInFlight?: number;
  /** How often progress is logged (default 10 s). */
  readonly progressIntervalMs?: number;
  /** Fail when no record arrives for this long while records remain (default 60 s). */
  readonly stallTimeoutMs?: number;
  /** Told each store partition's progress after every batch, and remaining 0 once it is restored. */
  readonly metrics?: Pick<ThreadMetrics, 'restoreProgress'>;
  /** Told each task as soon as all its stores are restored and written, before the others finish. */
  readonly onTaskRestored?: (task: string, result: RestoreResult) => void;
}

/** The options of one task's restoration (see `restoreTaskStores`). */
export interface RestoreOptions extends RestoreTasksOptions, Omit<RestoringTask, 'stores'> {}

export interface RestoreResult {
  /** Changelog records written to the stores. */
  readonly restored: number;
  /** Changelog records skipped because their source offset was not committed. */
  readonly skipped: number;
  /** Stores wiped because their stored offset was outside the changelog (truncated or recreated topic). */
  readonly wiped: readonly string[];
}

/** One task's restoration: what it has done so far, and its stores still short of their end. */
interface TaskProgress {
  readonly task: RestoringTask;
  readonly skip: UncommittedSourceFilter;
  readonly wiped: string[];
  readonly plans: RestorePlan[];
  restored: number;
  skipped: number;
  open: number;
}

interface RestorePlan {
  readonly owner: TaskProgress;
  readonly target: RestorableStore;
  readonly end: number;
  position: number;
  // The next write batch, packed as its records are read: no record outlives the poll that read it.
  readonly batch: PackedWritesBuilder;
  // Every batch handed to the store so far: settles once all of them are written.
  writing: Promise<void> | undefined;
  // Batches handed to the store and not yet written, oldest first.
  readonly inFlight: Promise<void>[];
  // When this store partition's previous batch was reported, for its restore rate.
  reportedAt: number;
}

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * Brings a task's logged stores up to their changelogs' end before the task processes a record (one task
 * of `restoreTasks`).
 */
export async function restoreTaskStores(
  stores: readonly RestorableStore[],
  options: RestoreOptions,
): Promise<RestoreResult> {
  const { task, inputPartitions, committed, ...shared } = options;
  const results = await restoreTasks([{ task, stores, inputPartitions, committed }], shared);
  return results.get(task) ?? { restored: 0, skipped: 0, wiped: [] };
}

/**
 * Brings the logged stores of every given task up to their changelogs' end before the tasks process a
 * record: one assignment of the restore consumer reads all their changelog partitions at once, from the
 * offset each store keeps (or the start) to the end offset seen now, in large batches, each written to
 * its store together with the next changelog offset. A stored offset outside the changelog (the topic was
 * truncated, deleted or recreated) wipes that store and restores it from the start. Results by task name.
 */
export async function restoreTasks(
  tasks: readonly RestoringTask[],
  options: RestoreTasksOptions,
): Promise<ReadonlyMap<string, RestoreResult>> {
  const results = new Map<string, RestoreResult>();
  const clock = options.wallClock ?? Date.now;
  const started = clock();
  const partitions = tasks.flatMap((t) => t.stores.map((s) => s.changelog));
  const [ends, earliest] =
    partitions.length === 0
      ? [[], []]
      : await Promise.all([options.consumer.endOffsets(partitions), options.earliestOffsets(partitions)]);
  const endOf = new Map(ends.map((o) => [key(o), o.offset]));
  const startOf = new Map(earliest.map((o) => [key(o), o.offset]));

  const plans = new Map<string, RestorePlan>();
  const progress: TaskProgress[] = [];
  for (const task of tasks) {
    const owner: TaskProgress = {
      task,
      skip: uncommittedSourceFilter(task, options.skipUncommittedSources),
      wiped: [],
      plans: [],
      restored: 0,
      skipped: 0,
      open: 0,
    };
    progress.push(owner);
    for (const target of task.stores) {
      const end = endOf.get(key(target.changelog)) ?? 0;
      const position = await startingPosition(target, end, startOf.get(key(target.changelog)) ?? 0, owner, options);
      if (position >= end) {
        options.metrics?.restoreProgress(target.store.name, target.changelog.partition, 0, 0, 0);
        continue;
      }
      const plan: RestorePlan = {
        owner,
        target,
        end,
        position,
        batch: new PackedWritesBuilder(),
        writing: undefined,
        inFlight: [],
        reportedAt: started,
      };
      plans.set(key(target.changelog), plan);
      owner.plans.push(plan);
      owner.open++;
    }
    if (owner.open > 0) {
      options.logger.info('Restoring state stores from their changelogs.', {
        task: task.task,
        stores: owner.plans.map((p) => p.target.store.name),
        records: owner.plans.reduce((sum, p) => sum + (p.end - p.position), 0),
      });
    }
  }

  // A task is done once its last store's last batch is written; the others keep restoring meanwhile.
  const finishing: Promise<void>[] = [];
  const finish = (owner: TaskProgress) => {
    const done = Promise.all(owner.plans.map((p) => p.writing)).then(() => {
      const result = { restored: owner.restored, skipped: owner.skipped, wiped: owner.wiped };
      results.set(owner.task.task, result);
      for (const plan of owner.plans) {
        options.metrics?.restoreProgress(plan.target.store.name, plan.target.changelog.partition, 0, 0, 0);
      }
      if (owner.plans.length > 0) {
        const elapsedMs = clock() - started;
        options.logger.info('Restored state stores.', {
          task: owner.task.task,
          restored: owner.restored,
          skipped: owner.skipped,
          elapsedMs,
          recordsPerSecond: rate(owner.restored + owner.skipped, elapsedMs),
        });
      }
      options.onTaskRestored?.(owner.task.task, result);
    });
    // Awaited at the end; until then a failure must not count as unhandled.
    done.catch(() => undefined);
    finishing.push(done);
  };
  for (const owner of progress) if (owner.open === 0) finish(owner);
  if (plans.size === 0) {
    await Promise.all(finishing);
    return results;
  }

  const total = [...plans.values()].reduce((sum, p) => sum + (p.end - p.position), 0);
  let done = 0;
  let lastLog = started;
  let lastProgress = started;
  await options.consumer.assign([...plans.values()].map((p) => ({ ...p.target.changelog, offset: p.position })));
  const open = new Set(plans.values());
  const batchRecords = options.batchRecords ?? 4_000;
  const batchBytes = options.batchBytes ?? 2 ** 20;
  const heldRecordsBound = batchRecords * 8;
  let touched = new Set<RestorePlan>();
  let lastTouched: RestorePlan | undefined;
  // Moves a plan past a record it reads; false for a record outside the range it restores.
  const advance = (plan: RestorePlan, offset: number): boolean => {
    if (offset < plan.position || offset >= plan.end) return false;
    done += offset + 1 - plan.position;
    plan.position = offset + 1;
    // Read to its end: no more fetches of it (one with nothing to return waits at the broker).
    if (plan.position >= plan.end) options.consumer.pause?.([plan.target.changelog]);
    if (plan !== lastTouched) {
      touched.add(plan);
      lastTouched = plan;
    }
    return true;
  };
  // Fetched record batches read in place when the consumer offers them, else decoded records.
  let undecoded = options.consumer.pollBatches !== undefined;
  try {
    while (open.size > 0) {
      touched = new Set<RestorePlan>();
      lastTouched = undefined;
      const fetched = undecoded ? await options.consumer.pollBatches?.({ timeoutMs: 500 }) : undefined;
      if (fetched !== undefined) {
        for (const partition of fetched) {
          const plan = plans.get(key(partition));
          if (plan === undefined) continue;
          const cursor = new RecordBatchCursor(partition);
          while (cursor.next()) {
            if (!advance(plan, cursor.offset) || cursor.keyLength < 0) continue;
            if (plan.owner.skip.fetched(cursor)) {
              plan.owner.skipped++;
              continue;
            }
            const bytes = cursor.bytes;
            plan.batch.add(bytes, cursor.keyStart, cursor.keyLength, bytes, cursor.valueStart, cursor.valueLength);
          }
        }
      } else {
        undecoded = false;
        const records = await options.consumer.poll({ maxRecords: batchRecords * 5, timeoutMs: 500 });
        // Polls return runs of one partition: look the plan up only when the partition changes.
        let plan: RestorePlan | undefined;
        for (const record of records) {
          if (plan?.target.changelog.partition !== record.partition || plan.target.changelog.topic !== record.topic) {
            plan = plans.get(key(record));
            if (plan === undefined) continue;
          }
          if (!advance(plan, record.offset) || record.key === null) continue;
          if (plan.owner.skip.decoded(record.headers)) {
            plan.owner.skipped++;
            continue;
          }
          const { key: recordKey, value } = record;
          plan.batch.add(recordKey, 0, recordKey.length, value ?? recordKey, 0, value === null ? -1 : value.length);
        }
      }
      // Large write batches: each LMDB transaction copies every page it touches, so random keys in small
      // batches rewrite the same pages over and over. A store writes once it holds a batch or is complete;
      // all write once the records held across stores pass a bound on memory.
      const held = [...open].reduce((sum, p) => sum + p.batch.count, 0);
      const due = held > heldRecordsBound ? [...open].filter((p) => p.batch.count > 0 || touched.has(p)) : touched;
      for (const touchedPlan of due) {
        const written = touchedPlan.batch.count;
        const batchFull = written >= batchRecords || touchedPlan.batch.bytes >= batchBytes;
        if (due === touched && !batchFull && touchedPlan.position < touchedPlan.end) continue;
        touchedPlan.owner.restored += written;
        await writeBatch(touchedPlan, options.writeBatchesInFlight ?? 16);
        const now = clock();
        const { store, changelog } = touchedPlan.target;
        const remaining = touchedPlan.end - touchedPlan.position;
        options.metrics?.restoreProgress(
          store.name,
          changelog.partition,
          remaining,
          written,
          (now - touchedPlan.reportedAt) / 1000,
        );
        touchedPlan.reportedAt = now;
        if (remaining > 0) continue;
        open.delete(touchedPlan);
        if (--touchedPlan.owner.open === 0) finish(touchedPlan.owner);
      }
      const now = clock();
      if (touched.size > 0) lastProgress = now;
      else if (now - lastProgress > (options.stallTimeoutMs ?? 60_000)) throw stalled(open);
      if (open.size > 0 && now - lastLog >= (options.progressIntervalMs ?? 10_000)) {
        lastLog = now;
        options.logger.info('Restoring state stores.', {
          tasks: [...new Set([...open].map((p) => p.owner.task.task))],
          remaining: total - done,
          recordsPerSecond: rate(done, now - started),
        });
      }
    }
  } finally {
    // Nothing may still write to a store once this returns (the caller may close or wipe it).
    await Promise.allSettled([...plans.values()].map((p) => p.writing));
    await Promise.allSettled(finishing);
  }
  // Surfaces a failure of a store's last batch.
  await Promise.all(finishing);
  return results;
}

/** Where a store's restoration starts: its stored offset, or the log start once a stale store is wiped. */
async function startingPosition(
  target: RestorableStore,
  end: number,
  logStart: number,
  owner: TaskProgress,
  options: RestoreTasksOptions,
): Promise<number> {
  const position = target.store.changelogOffset?.();
  if (position === undefined) return logStart;
  if (position >= logStart && position <= end) return position;
  options.logger.warn('A store is ahead of or behind its changelog; wiping it to restore from the start.', {
    task: owner.task.task,
    store: target.store.name,
    changelog: target.changelog.topic,
    partition: target.changelog.partition,
    storedOffset: position,
    logStartOffset: logStart,
    endOffset: end,
  });
  await target.store.wipe?.();
  owner.wiped.push(target.store.name);
  return logStart;
}

/**
 * Hands the plan's batch and its position to the store once fewer than `inFlight` of its batches are
 * being written. Batches are written in order, each offset after its data, so the stored offset never runs
 * ahead of the data. Only the batch that completes the store waits for the disk sync: a power loss
 * mid-restore leaves the store at an earlier offset (with data possibly ahead of it, which replaying whole
 * values rewrites unchanged), and the next restore continues from there.
 */
// Sixteen batches in flight: the LMDB writer puts every batch that has arrived for an environment into one
// transaction, and each transaction copies every page it touches, so a writer that falls behind catches up
// in larger, cheaper transactions (1M random keys into 6 stores, written alone: 3.5 s with 4 in flight,
// 2.8 s with 16, medians of 4). Packed batches are compact (about 40 bytes per count record).
async function writeBatch(plan: RestorePlan, inFlight: number): Promise<void> {
  while (plan.inFlight.length >= inFlight) await plan.inFlight.shift();
  const writing = plan.target.store.restore?.(plan.batch.finish(), plan.position, {
    durable: plan.position >= plan.end,
    atomic: false,
  });
  if (writing === undefined) return;
  // Awaited later (a later batch or the end); until then a failure must not count as unhandled.
  writing.catch(() => undefined);
  plan.inFlight.push(writing);
  const previous = plan.writing;
  plan.writing = previous === undefined ? writing : Promise.all([previous, writing]).then(() => undefined);
  plan.writing.catch(() => undefined);
}

/** Judges a changelog record by its source: true when it is to be skipped (see `uncommittedSourceFilter`). */
interface UncommittedSourceFilter {
  readonly decoded: (headers: readonly Header[]) => boolean;
  readonly fetched: (cursor: RecordBatchCursor) => boolean;
}

const sourceHeaderKey = Buffer.from(changelogSourceHeader);

/**
 * True for a changelog record made while processing an input record whose offset the group has not
 * committed: under at-least-once that input is processed again and makes the change again.
 */
function uncommittedSourceFilter(
  task: RestoringTask,
  skipUncommittedSources: boolean | undefined,
): UncommittedSourceFilter {
  if (skipUncommittedSources === false) return { decoded: () => false, fetched: () => false };
  // Per input topic (its name as bytes, compared without decoding): by partition, the committed offset,
  // -1 for an input partition without one, undefined for a partition that is not the task's. An array
  // rather than a map: this runs once per restored record.
  const names: Buffer[] = [];
  const committedByTopic: (number | undefined)[][] = [];
  for (const tp of task.inputPartitions) {
    let index = names.findIndex((name) => name.toString() === tp.topic);
    if (index < 0) {
      index = names.push(Buffer.from(tp.topic)) - 1;
      committedByTopic.push([]);
    }
    const committed = task.committed.find((o) => o.topic === tp.topic && o.partition === tp.partition);
    committedByTopic[index]![tp.partition] = committed?.offset ?? -1;
  }
  // By partition, the lowest committed offset over the input topics having that partition (-1 when one has
  // none): a source offset below it is kept whatever its topic, so the topic's bytes need no comparison.
  // That is nearly every record of a restoration, since changes from uncommitted input are only its tail.
  const keptBelow: number[] = [];
  for (const byPartition of committedByTopic) {
    byPartition.forEach((next, partition) => {
      if (next !== undefined) keptBelow[partition] = Math.min(keptBelow[partition] ?? next, next);
    });
  }
  const topicMatters = (partition: number, offset: number) => offset >= (keptBelow[partition] ?? Infinity);
  const source: SourcePosition = { topicIndex: -1, partition: -1, offset: -1 };
  // A change from elsewhere (no source, or another topology version's input) cannot be judged: kept.
  const uncommitted = (): boolean => {
    if (source.topicIndex < 0) return false;
    const next = committedByTopic[source.topicIndex]![source.partition];
    if (next === undefined) return false;
    return next < 0 || source.offset >= next;
  };
  return {
    decoded: (headers) =>
      headers.length > 0 && readChangelogSource(headers, names, source, topicMatters) && uncommitted(),
    fetched: (cursor) => {
      if (cursor.headerCount === 0) return false;
      // The binary header read in place; the older decimal headers (rare) through objects.
      const found = cursor.findHeader(sourceHeaderKey)
        ? readChangelogSourceAt(
            cursor.bytes,
            cursor.headerValueStart,
            cursor.headerValueLength,
            names,
            source,
            topicMatters,
          )
        : readChangelogSource(cursor.headers(), names, source, topicMatters);
      return found && uncommitted();
    },
  };
}

function rate(records: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? records : Math.round((records * 1000) / elapsedMs);
}

function stalled(open: ReadonlySet<RestorePlan>): KStreamsError {
  const where = [...open]
    .map((p) => `${p.target.changelog.topic}-${p.target.changelog.partition} at ${p.position} of ${p.end}`)
    .join(', ');
  return new KStreamsError(
    'KAFKA_CONSUME_FAILED',
    `Restoring tasks ${[...new Set([...open].map((p) => p.owner.task.task))].join(', ')} made no progress: ${where}.`,
    {
      hint: 'Check that the broker is reachable and the changelog topics are readable; the task restores again after a restart.',
      retriable: true,
    },
  );
}

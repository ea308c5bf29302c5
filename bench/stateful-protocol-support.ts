import type { AdapterName } from '../src/kafka/index.ts';
import type { RssPeaks } from './rss-sampler-support.ts';
import type { EngineSettings } from './stateless-protocol-support.ts';

/** The store of the count topology; its changelog is `<applicationId>-counts-changelog`. */
export const countStoreName = 'counts';

export function changelogTopic(applicationId: string): string {
  return `${applicationId}-${countStoreName}-changelog`;
}

/**
 * What the parent asks one stateful-worker process to do (JSON in argv):
 * - `count`: run `groupByKey().count()` over the whole input, close, then check the final counts;
 * - `restore`: start the count app (already run) on an empty state dir and time the restoration;
 * - `consume`: read the changelog to its end with the adapter's AssignedConsumer (the restore's ceiling).
 */
export type StatefulJob = CountJob | RestoreJob | ConsumeJob;

interface JobBase {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly timeoutMs: number;
}

export interface CountJob extends JobBase {
  readonly mode: 'count';
  readonly inputTopic: string;
  readonly applicationId: string;
  readonly stateDir: string;
  readonly settings: EngineSettings;
  readonly inputRecords: number;
  /** Keys are `k<sequence % distinctKeys>`, so each key's final count follows from inputRecords. */
  readonly distinctKeys: number;
}

export interface RestoreJob extends JobBase {
  readonly mode: 'restore';
  readonly inputTopic: string;
  readonly applicationId: string;
  /** Empty: the app restores every store from its changelog. */
  readonly stateDir: string;
  readonly settings: EngineSettings;
}

export interface ConsumeJob extends JobBase {
  readonly mode: 'consume';
  readonly topic: string;
  readonly partitions: number;
  /** The fetch size of the consumer it is compared with (the engine's restore consumer uses the app's). */
  readonly fetchMaxBytes?: number;
  /**
   * Read the fetched record batches in place (pollBatches and a RecordBatchCursor, as restoration reads
   * them) instead of polling decoded records.
   */
  readonly undecoded?: boolean;
}

export interface StatefulRunResult {
  /** count: input records processed; restore: records restored; consume: records read. */
  readonly records: number;
  /** count: RUNNING to the end of the final commit; restore: start() to RUNNING; consume: assign to the end. */
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly processCpuPct: number;
  readonly peakRssMb: number;
  /** Peak RssAnon / RssFile (MB, sampled): heap and buffers vs mapped files such as LMDB's; null off Linux. */
  readonly peakRssSplit?: RssPeaks | null;
  /** count: keys whose final count (last changelog value) was checked against the input. */
  readonly keysChecked: number;
  /** restore: the tasks' "Restored state stores." elapsedMs, summed (tasks restore one after another). */
  readonly restoreElapsedMs: number | null;
}

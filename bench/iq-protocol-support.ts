import type { AdapterName } from '../src/kafka/index.ts';

/** The table's store, queried as GET /stores/<iqStoreName>/keys/<key>. */
export const iqStoreName = 'bench-iq';

/** What the parent asks one iq-worker process to do (passed as JSON in argv). */
export interface IqJob {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly tableTopic: string;
  /** Fresh per run, so the app loads the table from the earliest offset into an empty state dir. */
  readonly applicationId: string;
  /** The HTTP port; also the advertised applicationServer. */
  readonly port: number;
  /** Records in the table topic when the run starts: the app reports `ready` once it has processed them. */
  readonly initialRecords: number;
  /** Records the parent writes during the run: the app closes once it has processed these too. */
  readonly updateRecords: number;
  /** Kept serving this long after the last update was processed, so the load generator never hits a closing server. */
  readonly lingerMs: number;
  readonly timeoutMs: number;
  /** Write a CPU profile of the serving window (table loaded to close) to this .cpuprofile file. */
  readonly cpuProfileFile?: string;
}

export interface IqWorkerResult {
  /** From start() to every initial record processed (the table loaded). */
  readonly loadSeconds: number;
  /** Records processed from `ready` to the close. */
  readonly processedAfterReady: number;
  /** CPU of the app process from `ready` to the close, in percent of one core. */
  readonly processCpuPct: number;
  /** Share of the time the app's event loop was busy (0..1) from `ready` to the close. */
  readonly eventLoopUtilization: number;
  readonly peakRssMb: number;
}

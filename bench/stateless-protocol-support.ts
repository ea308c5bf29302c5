import type { AdapterName } from '../src/kafka/index.ts';
import type { LatencySummary } from './stats-support.ts';

/** The engine configuration a user would tune for throughput (StreamsConfig keys). */
export interface EngineSettings {
  readonly commitIntervalMs: number;
  readonly maxPollRecords: number;
  readonly bufferedRecordsPerPartition: number;
  readonly fetchMaxBytes: number;
  readonly lingerMs: number;
}

/** What the parent asks one stateless-worker process to do (passed as JSON in argv). */
export interface StatelessJob {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  /** Fresh per run, so the app reads the input from the earliest offset. */
  readonly applicationId: string;
  readonly settings: EngineSettings;
  /** The run is complete once the topology has seen this many input records (and closed with a commit). */
  readonly inputRecords: number;
  /** Measure end-to-end latency of records stamped by offerLoad (a latency run). */
  readonly measureLatency: boolean;
  /** Latency runs only: records with a sequence number below this are warm-up and not counted. */
  readonly warmupRecords: number;
  readonly timeoutMs: number;
  /** Write a CPU profile of the processing window (RUNNING to all input seen) to this .cpuprofile file. */
  readonly cpuProfileFile?: string;
}

export interface EngineRunResult {
  /** Input records the topology processed. */
  readonly inputRecords: number;
  /** Output records the producer had acknowledged when the app closed. */
  readonly outputRecords: number;
  /** From the app reaching RUNNING (group joined, tasks assigned) to the end of its final commit. */
  readonly seconds: number;
  /** Input records processed per second. */
  readonly recordsPerSec: number;
  readonly commits: number;
  /** CPU of the engine process while running, in percent of one core. */
  readonly processCpuPct: number;
  /** Share of the time the event loop was busy (0..1). */
  readonly eventLoopUtilization: number;
  /** CPU of the Kafka broker JVM(s) and of the whole machine, percent of one core (Linux only). */
  readonly kafkaCpuPct: number | null;
  readonly machineCpuPct: number | null;
  /** process.resourceUsage().maxRSS at the end, in MB. */
  readonly peakRssMb: number;
  readonly latency: LatencySummary | null;
}

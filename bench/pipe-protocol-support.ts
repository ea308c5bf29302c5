import type { AdapterName, TopicPartitionOffset } from '../src/kafka/index.ts';
import type { LatencySummary } from './stats-support.ts';

/** The knobs of one adapter's pipe; each adapter has tuned defaults (see pipe.ts), flags override them. */
export interface PipeSettings {
  /** maxRecords of each poll. */
  readonly pollRecords: number;
  /** Produce batches awaiting acknowledgement at once; polling pauses when the window is full. */
  readonly inFlight: number;
  /** Acknowledged offsets are committed at most this often (and once at the end). */
  readonly commitIntervalMs: number;
  readonly lingerMs: number;
  /** Upper bound on the bytes of one fetch. */
  readonly fetchMaxBytes: number;
}

/** When a pipe run is complete. */
export type PipeTarget =
  /** Throughput: the whole preloaded input, up to these end offsets. */
  | { readonly kind: 'offsets'; readonly ends: readonly TopicPartitionOffset[] }
  /** Latency: this many records, written while the pipe runs. */
  | { readonly kind: 'count'; readonly records: number };

/** What the parent asks one pipe-worker process to do (passed as JSON in argv). */
export interface PipeJob {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly groupId: string;
  readonly settings: PipeSettings;
  readonly target: PipeTarget;
  /** Latency runs only: samples of records with a sequence number below this are warm-up and not counted. */
  readonly warmupRecords: number;
  readonly timeoutMs: number;
}

export interface PipeRunResult {
  /** Records produced to the output and acknowledged. */
  readonly records: number;
  /** From the end of the group join to the final commit. */
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly polls: number;
  readonly meanPollRecords: number;
  readonly commits: number;
  /** CPU of the pipe process while piping, in percent of one core. */
  readonly processCpuPct: number;
  /** Share of the time the event loop was busy while piping (0..1). */
  readonly eventLoopUtilization: number;
  /** CPU of the Kafka broker JVM(s) and of the whole machine while piping, percent of one core (Linux only). */
  readonly kafkaCpuPct: number | null;
  readonly machineCpuPct: number | null;
  /** process.resourceUsage().maxRSS at the end, in MB. */
  readonly peakRssMb: number;
  readonly latency: LatencySummary | null;
}

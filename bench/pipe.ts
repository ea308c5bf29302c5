// Scenario `pipe`: a raw consume -> produce pipe per Kafka client adapter, without the engine. It is the
// ceiling the engine is measured against: records/s on a preloaded backlog, end-to-end latency at a fixed
// offered rate, and peak RSS of the pipe process.
import { fileURLToPath } from 'node:url';
import { type AdapterName, adapterNames, createKafkaClient, type TopicPartitionOffset } from '../src/kafka/index.ts';
import { type BenchTopics, benchPartitions, failCheck } from './bench-topics-support.ts';
import type { MachineInfo } from './machine-support.ts';
import { keyBytes, type OfferedLoad, offerLoad, valueBytes } from './pipe-load-support.ts';
import type { PipeJob, PipeRunResult, PipeSettings } from './pipe-protocol-support.ts';
import { emitReport, medianRate, middleRun, peakRss, percent, runRates, sectionHeader } from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags } from './scenario-support.ts';
import { runWorker } from './worker-support.ts';

const defaultRecords = 1_000_000;
const partitions = benchPartitions;
const workerFile = fileURLToPath(new URL('./pipe-worker.ts', import.meta.url));

/** The fastest settings found for each adapter on the reference machine (see RESULTS.md). */
export const pipeTunedSettings: Readonly<Record<AdapterName, PipeSettings>> = {
  // linger stays 0: the adapter's linger merges concurrent sends into one request whose per-partition
  // batch can exceed the broker's 1 MB message.max.bytes (MESSAGE_TOO_LARGE); 3000 records/poll stays below.
  platformatic: { pollRecords: 3000, inFlight: 4, commitIntervalMs: 1000, lingerMs: 0, fetchMaxBytes: 32 * 2 ** 20 },
  // 1000 records per send is the adapter's own send chunk; kafkajs is CPU-bound, so larger polls do not help.
  kafkajs: { pollRecords: 1000, inFlight: 4, commitIntervalMs: 1000, lingerMs: 0, fetchMaxBytes: 32 * 2 ** 20 },
};

const usage = `Usage: npm run bench -- pipe [options]

A raw consume -> produce pipe with each Kafka client adapter (no engine): the ceiling for the engine.
Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --records N             input records, ${keyBytes}-byte keys and ${valueBytes}-byte values over ${partitions} partitions (default ${formatCount(defaultRecords)})
  --runs N                throughput runs per adapter; the median is reported (default 3)
  --adapters a,b          adapters to compare (default ${adapterNames.join(',')})
  --latency-rate N        offered rate of the latency phase, records/s (default 10000)
  --latency-seconds N     length of the latency phase; 0 skips it (default 10)
  --json                  one JSON object per adapter on stdout instead of the markdown table

Tuning (overrides every adapter's tuned defaults):
  --poll-records N        maxRecords of each poll
  --in-flight N           produce batches awaiting acknowledgement at once
  --commit-interval-ms N  commit acknowledged offsets at most this often
  --linger-ms N           producer linger
  --fetch-max-bytes N     upper bound on one fetch

With the default --records, the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  records: { type: 'string' },
  runs: { type: 'string' },
  adapters: { type: 'string' },
  'latency-rate': { type: 'string' },
  'latency-seconds': { type: 'string' },
  json: { type: 'boolean' },
  'poll-records': { type: 'string' },
  'in-flight': { type: 'string' },
  'commit-interval-ms': { type: 'string' },
  'linger-ms': { type: 'string' },
  'fetch-max-bytes': { type: 'string' },
} as const;

interface PipeOptions {
  readonly records: number;
  readonly runs: number;
  readonly adapters: readonly AdapterName[];
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly json: boolean;
  readonly settings: Readonly<Record<AdapterName, PipeSettings>>;
}

function parsePipeOptions(argv: readonly string[]): PipeOptions {
  const flags = parseFlags(argv, flagSpec, usage);
  const override = (base: PipeSettings): PipeSettings => ({
    pollRecords: integerFlag(flags, 'poll-records', base.pollRecords, usage),
    inFlight: integerFlag(flags, 'in-flight', base.inFlight, usage),
    commitIntervalMs: integerFlag(flags, 'commit-interval-ms', base.commitIntervalMs, usage, 0),
    lingerMs: integerFlag(flags, 'linger-ms', base.lingerMs, usage, 0),
    fetchMaxBytes: integerFlag(flags, 'fetch-max-bytes', base.fetchMaxBytes, usage, 1024),
  });
  return {
    records: integerFlag(flags, 'records', defaultRecords, usage),
    runs: integerFlag(flags, 'runs', 3, usage, 1, 100),
    adapters: adaptersFlag(flags, usage),
    latencyRate: integerFlag(flags, 'latency-rate', 10_000, usage),
    latencySeconds: integerFlag(flags, 'latency-seconds', 10, usage, 0),
    json: flags.get('json') === true,
    settings: { platformatic: override(pipeTunedSettings.platformatic), kafkajs: override(pipeTunedSettings.kafkajs) },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench pipe] ${message}\n`);
}

function pipeWorker(job: PipeJob, onReady?: () => Promise<unknown>): Promise<PipeRunResult> {
  return runWorker<PipeJob, PipeRunResult>({
    file: workerFile,
    job,
    label: `${job.adapter} pipe run`,
    killAfterMs: job.timeoutMs + 60_000,
    onReady,
  });
}

export interface PipeThroughputRun {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly input: string;
  readonly ends: readonly TopicPartitionOffset[];
  readonly settings: PipeSettings;
  /** Unique within the invocation: names the output topic and the group. */
  readonly name: string;
}

/**
 * One throughput run of the pipe over the whole preloaded input, in its own process, then checked: the
 * output holds exactly the input's records and the group committed the input's end offsets. The output
 * topic and the group are deleted afterwards.
 */
export async function runPipeThroughput(topics: BenchTopics, run: PipeThroughputRun): Promise<PipeRunResult> {
  const inputCount = run.ends.reduce((sum, end) => sum + end.offset, 0);
  const output = await topics.create(`bench-pipe-output-${run.name}`);
  const groupId = topics.trackGroup(`bench-pipe-${run.name}`);
  const result = await pipeWorker({
    adapter: run.adapter,
    brokers: run.brokers,
    inputTopic: run.input,
    outputTopic: output,
    groupId,
    settings: run.settings,
    target: { kind: 'offsets', ends: run.ends },
    warmupRecords: 0,
    timeoutMs: Math.round(inputCount / 1000) * 1000 + 120_000,
  });
  const outputCount = await topics.count(output);
  if (result.records !== inputCount || outputCount !== result.records) {
    throw failCheck(
      `${run.adapter} pipe ${run.name} piped ${result.records} of ${inputCount} records and the output holds ${outputCount}.`,
    );
  }
  await topics.checkCommitted(groupId, run.input, run.ends);
  await topics.drop(output);
  await topics.dropGroup(groupId);
  return result;
}

interface AdapterResult {
  readonly adapter: AdapterName;
  readonly settings: PipeSettings;
  readonly runs: readonly PipeRunResult[];
  readonly recordsPerSec: number;
  readonly peakRssMb: number;
  readonly latency: PipeRunResult | null;
  readonly load: OfferedLoad | null;
}

export const pipeScenario: BenchScenario = { name: 'pipe', usage, run: runPipeScenario };

async function runPipeScenario(argv: readonly string[]): Promise<void> {
  const options = parsePipeOptions(argv);
  await withScenarioSession(
    { scenario: 'pipe', adapters: options.adapters, log, stopping: 'the pipe' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      const input = `bench-pipe-input-${id}`;
      const ends = await topics.loadInput(
        input,
        options.records,
        createKafkaClient(connection(firstAdapter), firstAdapter),
        firstAdapter,
      );

      const results: AdapterResult[] = [];
      for (const adapter of options.adapters) {
        const settings = options.settings[adapter];
        const runs: PipeRunResult[] = [];
        for (let run = 1; run <= options.runs; run++) {
          const result = await runPipeThroughput(topics, {
            adapter,
            brokers,
            input,
            ends,
            settings,
            name: `${id}-${adapter}-${run}`,
          });
          log(
            `${adapter} run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, ` +
              `pipe CPU ${result.processCpuPct}%, Kafka CPU ${result.kafkaCpuPct ?? '?'}%, machine ${result.machineCpuPct ?? '?'}%, ELU ${result.eventLoopUtilization}, ` +
              `${result.meanPollRecords} records/poll, RSS ${result.peakRssMb} MB (output count and commits checked)`,
          );
          runs.push(result);
        }
        const latency =
          options.latencySeconds > 0
            ? await runPipeLatency(topics, options, brokers, `${id}-${adapter}`, adapter)
            : null;
        results.push({
          adapter,
          settings,
          runs,
          recordsPerSec: medianRate(runs),
          peakRssMb: peakRss(runs),
          latency: latency?.run ?? null,
          load: latency?.load ?? null,
        });
      }

      emitReport({
        scenario: 'pipe',
        json: options.json,
        jsonLines: results.map((result) => ({
          scenario: 'pipe',
          adapter: result.adapter,
          records: options.records,
          recordsPerSec: result.recordsPerSec,
          p50Ms: result.latency?.latency?.p50Ms ?? null,
          p99Ms: result.latency?.latency?.p99Ms ?? null,
          peakRssMb: result.peakRssMb,
          runs: result.runs,
          latency:
            result.latency === null
              ? null
              : {
                  ...result.latency.latency,
                  offeredRate: options.latencyRate,
                  seconds: options.latencySeconds,
                  achievedRate: result.load?.achievedRate ?? null,
                  run: result.latency,
                },
          settings: result.settings,
        })),
        brokers,
        machine,
        markdown: renderMarkdown(options, machine, results),
        writeResults: options.records === defaultRecords,
        log,
      });
    },
  );
}

/** The pipe at a fixed offered rate: a producer in this process writes stamped records while it runs. */
async function runPipeLatency(
  topics: BenchTopics,
  options: PipeOptions,
  brokers: readonly string[],
  name: string,
  adapter: AdapterName,
): Promise<{ readonly run: PipeRunResult; readonly load: OfferedLoad | null }> {
  const settings = options.settings[adapter];
  const latencyIn = await topics.create(`bench-pipe-latency-in-${name}`);
  const latencyOut = await topics.create(`bench-pipe-latency-out-${name}`);
  const groupId = topics.trackGroup(`bench-pipe-${name}-latency`);
  const records = options.latencyRate * options.latencySeconds;
  log(`${adapter} latency: offering ${formatCount(options.latencyRate)} records/s for ${options.latencySeconds} s`);
  const client = createKafkaClient({ brokers, clientId: `bench-pipe-${adapter}` }, adapter);
  const offered: { load: OfferedLoad | null } = { load: null };
  const latency = await pipeWorker(
    {
      adapter,
      brokers,
      inputTopic: latencyIn,
      outputTopic: latencyOut,
      groupId,
      settings,
      target: { kind: 'count', records },
      warmupRecords: Math.min(options.latencyRate, Math.floor(records / 10)),
      timeoutMs: options.latencySeconds * 1000 + 120_000,
    },
    async () => {
      const producer = client.producer();
      try {
        offered.load = await offerLoad(producer, latencyIn, options.latencyRate, options.latencySeconds);
      } finally {
        await producer.close();
      }
    },
  );
  const outputCount = await topics.count(latencyOut);
  if (latency.records !== records || outputCount !== records) {
    throw failCheck(
      `${adapter} latency run piped ${latency.records} of ${records} records and the output holds ${outputCount}.`,
    );
  }
  log(
    `${adapter} latency: p50 ${latency.latency?.p50Ms} ms, p99 ${latency.latency?.p99Ms} ms, ` +
      `max ${latency.latency?.maxMs} ms over ${latency.latency?.samples} records (offered ${offered.load?.achievedRate} records/s; ` +
      `${latency.meanPollRecords} records/poll, pipe CPU ${latency.processCpuPct}%, Kafka CPU ${latency.kafkaCpuPct ?? '?'}%)`,
  );
  await topics.drop(latencyIn);
  await topics.drop(latencyOut);
  await topics.dropGroup(groupId);
  return { run: latency, load: offered.load };
}

function renderMarkdown(options: PipeOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(1));
  const table = markdownTable(
    [
      'Adapter',
      'Records/s (median)',
      'Runs (records/s)',
      'p50 latency ms',
      'p99 latency ms',
      'Peak RSS MB',
      'Pipe CPU %',
      'Kafka CPU %',
      'Event loop busy',
    ],
    results.map((r) => {
      const middle = middleRun(r.runs, r.recordsPerSec);
      return [
        r.adapter,
        formatCount(r.recordsPerSec),
        runRates(r.runs),
        ms(r.latency?.latency?.p50Ms),
        ms(r.latency?.latency?.p99Ms),
        r.peakRssMb.toFixed(0),
        String(middle?.processCpuPct ?? 'n/a'),
        String(middle?.kafkaCpuPct ?? 'n/a'),
        middle === undefined ? 'n/a' : percent(middle.eventLoopUtilization),
      ];
    }),
  );
  const settings = results
    .map(
      (r) =>
        `${r.adapter}: poll ${r.settings.pollRecords} records, ${r.settings.inFlight} produce batches in flight, commit every ${r.settings.commitIntervalMs} ms, linger ${r.settings.lingerMs} ms, fetch max ${r.settings.fetchMaxBytes / 2 ** 20} MiB`,
    )
    .join('; ');
  const offered = results
    .filter((r) => r.load !== null)
    .map((r) => `${r.adapter} ${formatCount(r.load?.achievedRate ?? 0)}`)
    .join(', ');
  return [
    ...sectionHeader('## pipe: raw consume -> produce, no engine', machine),
    `- Input: ${formatCount(options.records)} records (${keyBytes}-byte keys, ${valueBytes}-byte values, no headers) in a ${partitions}-partition topic, piped to a ${partitions}-partition topic by a fresh consumer group from the earliest offset; ${options.runs} run(s) per adapter, each in its own process; the median is reported. Every run is checked: the output holds exactly the input's record count and the group committed the input's end offsets.`,
    '- Records/s: records piped divided by the time from the end of the group join to the final commit (after the last output was acknowledged).',
    options.latencySeconds > 0
      ? `- Latency (separate phase per adapter): a producer in the parent process, using the same adapter, offers ${formatCount(options.latencyRate)} records/s for ${options.latencySeconds} s to a fresh input topic while the pipe runs; each record carries the time its send() was called. Latency = the moment the pipe's produce of that record is acknowledged by the broker minus that send time: producer batching + broker append + fetch + pipe + produce and acknowledgement. The first second is warm-up and not counted. Offered rate achieved: ${offered} records/s.`
      : '- Latency: not measured (--latency-seconds 0).',
    '- Peak RSS: the largest process.resourceUsage().maxRSS of the pipe processes; CPU columns: percent of one core during the median run (Kafka = the broker process listening on the bootstrap port, found through /proc).',
    `- Settings: ${settings}.`,
    '',
    table,
  ].join('\n');
}

// Scenario `stateless`: consume -> filter -> mapValues -> produce through the engine (a KafkaStreams app
// per run, in its own process), side by side with the raw pipe on the same input, per adapter. Reports
// the engine's records/s as a share of the pipe's, end-to-end latency at a fixed offered rate, and whether
// peak RSS stays flat as the input grows (the memory check).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AdapterName, createKafkaClient, type TopicPartitionOffset } from '../src/kafka/index.ts';
import { alternateRuns } from './alternating-runs-support.ts';
import { type BenchTopics, benchPartitions, failCheck } from './bench-topics-support.ts';
import { selfTimeByArea, topSelfTime } from './cpu-profile-support.ts';
import type { MachineInfo } from './machine-support.ts';
import { pipeTunedSettings, runPipeThroughput } from './pipe.ts';
import { keyBytes, type OfferedLoad, offerLoad, valueBytes } from './pipe-load-support.ts';
import type { PipeRunResult, PipeSettings } from './pipe-protocol-support.ts';
import {
  emitReport,
  engineSettingsText,
  medianRate,
  middleRun,
  peakRss,
  percent,
  rateRatio,
  ratioCell,
  runRates,
  sectionHeader,
} from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags, usageError } from './scenario-support.ts';
import type { EngineRunResult, EngineSettings, StatelessJob } from './stateless-protocol-support.ts';
import { dropOneIn, expectedOutput } from './stateless-topology-support.ts';
import { median, round } from './stats-support.ts';
import { runWorker } from './worker-support.ts';

const defaultRecords = 1_000_000;
const defaultMemoryRecords = 5_000_000;
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const workerFile = fileURLToPath(new URL('./stateless-worker.ts', import.meta.url));

/**
 * The engine configuration a user would pick for throughput, per adapter: commits as often as the pipe's
 * (1 s instead of the 30 s default, so a restart re-reads little), polls as large as the pipe's tuned polls,
 * a partition buffer that one poll cannot overflow (so partitions are not paused and resumed every round),
 * and the pipe's fetch size and linger.
 */
export const tunedSettings: Readonly<Record<AdapterName, EngineSettings>> = {
  platformatic: {
    commitIntervalMs: 1000,
    maxPollRecords: 3000,
    bufferedRecordsPerPartition: 3000,
    fetchMaxBytes: pipeTunedSettings.platformatic.fetchMaxBytes,
    lingerMs: pipeTunedSettings.platformatic.lingerMs,
  },
  kafkajs: {
    commitIntervalMs: 1000,
    maxPollRecords: 1000,
    bufferedRecordsPerPartition: 1000,
    fetchMaxBytes: pipeTunedSettings.kafkajs.fetchMaxBytes,
    lingerMs: pipeTunedSettings.kafkajs.lingerMs,
  },
};

const usage = `Usage: npm run bench -- stateless [options]

consume -> filter -> mapValues -> produce through the engine (one KafkaStreams app per run, in its own
process), against the raw pipe (npm run bench -- pipe) on the same input, with each adapter.
The filter drops 1 record in ${dropOneIn} (sequence numbers ending in ${dropOneIn - 1}); mapValues copies
the value and upper-cases the ASCII letters of 32 of its bytes. Brokers come from KAFKA_BROKERS
(default 127.0.0.1:9092).

  --records N               input records, ${keyBytes}-byte keys and ${valueBytes}-byte values over ${benchPartitions} partitions (default ${formatCount(defaultRecords)})
  --runs N                  engine and pipe runs per adapter, interleaved; medians are reported (default 3)
  --adapters a,b            adapters to compare (default platformatic,kafkajs)
  --latency-rate N          offered rate of the engine's latency phase, records/s (default 10000)
  --latency-seconds N       length of the latency phase; 0 skips it (default 10)
  --memory-records N        input of the memory check: one engine run per adapter, whose peak RSS is
                            compared with the --records runs'; 0 skips it (default ${formatCount(defaultMemoryRecords)})
  --cpu-prof DIR            profile each engine throughput run's processing window (V8's sampling
                            profiler, the --cpu-prof format), write DIR/engine-*.cpuprofile and log the
                            top self-time functions
  --json                    one JSON object per adapter on stdout instead of the markdown table

Engine tuning (overrides every adapter's tuned StreamsConfig):
  --commit-interval-ms N    commitIntervalMs
  --max-poll-records N      maxPollRecords
  --buffered-records N      bufferedRecordsPerPartition

With the default --records and --memory-records, the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  records: { type: 'string' },
  runs: { type: 'string' },
  adapters: { type: 'string' },
  'latency-rate': { type: 'string' },
  'latency-seconds': { type: 'string' },
  'memory-records': { type: 'string' },
  'cpu-prof': { type: 'string' },
  json: { type: 'boolean' },
  'commit-interval-ms': { type: 'string' },
  'max-poll-records': { type: 'string' },
  'buffered-records': { type: 'string' },
} as const;

interface StatelessOptions {
  readonly records: number;
  readonly runs: number;
  readonly adapters: readonly AdapterName[];
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly memoryRecords: number;
  readonly cpuProfileDir: string | undefined;
  readonly json: boolean;
  readonly settings: Readonly<Record<AdapterName, EngineSettings>>;
}

function parseStatelessOptions(argv: readonly string[]): StatelessOptions {
  const flags = parseFlags(argv, flagSpec, usage);
  const override = (base: EngineSettings): EngineSettings => ({
    commitIntervalMs: integerFlag(flags, 'commit-interval-ms', base.commitIntervalMs, usage, 0),
    maxPollRecords: integerFlag(flags, 'max-poll-records', base.maxPollRecords, usage),
    bufferedRecordsPerPartition: integerFlag(flags, 'buffered-records', base.bufferedRecordsPerPartition, usage),
    fetchMaxBytes: base.fetchMaxBytes,
    lingerMs: base.lingerMs,
  });
  const cpuProfileDir = flags.get('cpu-prof');
  if (cpuProfileDir === true || cpuProfileDir === '') throw usageError('--cpu-prof needs a directory.', usage);
  return {
    records: integerFlag(flags, 'records', defaultRecords, usage),
    runs: integerFlag(flags, 'runs', 3, usage, 1, 100),
    adapters: adaptersFlag(flags, usage),
    latencyRate: integerFlag(flags, 'latency-rate', 10_000, usage),
    latencySeconds: integerFlag(flags, 'latency-seconds', 10, usage, 0),
    memoryRecords: integerFlag(flags, 'memory-records', defaultMemoryRecords, usage, 0),
    cpuProfileDir: cpuProfileDir === undefined ? undefined : resolve(String(cpuProfileDir)),
    json: flags.get('json') === true,
    settings: { platformatic: override(tunedSettings.platformatic), kafkajs: override(tunedSettings.kafkajs) },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench stateless] ${message}\n`);
}

interface EngineRun {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly settings: EngineSettings;
  /** Unique within the invocation: names the output topic and the application id. */
  readonly name: string;
  readonly cpuProfileDir: string | undefined;
}

function engineWorker(job: StatelessJob, onReady?: () => Promise<unknown>) {
  return runWorker<StatelessJob, EngineRunResult>({
    file: workerFile,
    job,
    label: `${job.adapter} engine run`,
    killAfterMs: job.timeoutMs + 90_000,
    onReady,
  });
}

/**
 * One engine run over a whole preloaded input, then checked: the output holds exactly the records the
 * filter keeps, and the app's group committed the input's end offsets. The output topic and the group
 * are deleted afterwards.
 */
async function runEngineThroughput(
  topics: BenchTopics,
  run: EngineRun,
  input: string,
  ends: readonly TopicPartitionOffset[],
): Promise<EngineRunResult> {
  const inputCount = ends.reduce((sum, end) => sum + end.offset, 0);
  const output = await topics.create(`bench-stateless-output-${run.name}`);
  const applicationId = topics.trackGroup(`bench-stateless-${run.name}`);
  const cpuProfileFile =
    run.cpuProfileDir === undefined ? undefined : join(run.cpuProfileDir, `engine-${run.name}.cpuprofile`);
  const result = await engineWorker({
    adapter: run.adapter,
    brokers: run.brokers,
    inputTopic: input,
    outputTopic: output,
    applicationId,
    settings: run.settings,
    inputRecords: inputCount,
    measureLatency: false,
    warmupRecords: 0,
    timeoutMs: Math.round(inputCount / 1000) * 1000 + 120_000,
    ...(cpuProfileFile === undefined ? {} : { cpuProfileFile }),
  });
  const kept = expectedOutput(inputCount);
  const outputCount = await topics.count(output);
  if (result.inputRecords !== inputCount || result.outputRecords !== kept || outputCount !== kept) {
    throw failCheck(
      `${run.adapter} engine ${run.name} processed ${result.inputRecords} of ${inputCount} input records, ` +
        `had ${result.outputRecords} output records acknowledged and the output holds ${outputCount}; the filter keeps ${kept}.`,
    );
  }
  await topics.checkCommitted(applicationId, input, ends);
  await topics.drop(output);
  await topics.dropGroup(applicationId);
  if (cpuProfileFile !== undefined) logProfile(cpuProfileFile);
  return result;
}

function logProfile(file: string): void {
  log(`CPU profile of the processing window: ${file}; self time by area:`);
  for (const { where, pct } of selfTimeByArea(file, projectRoot).slice(0, 10)) {
    log(`  ${String(pct).padStart(5)}%  ${where}`);
  }
  log('top self-time functions:');
  for (const { where, pct } of topSelfTime(file, projectRoot, 20)) log(`  ${String(pct).padStart(5)}%  ${where}`);
}

interface LatencyOutcome {
  readonly run: EngineRunResult;
  readonly load: OfferedLoad;
}

/** The engine at a fixed offered rate: a producer in this process writes stamped records while it runs. */
async function runEngineLatency(
  topics: BenchTopics,
  run: EngineRun,
  rate: number,
  seconds: number,
): Promise<LatencyOutcome> {
  const input = await topics.create(`bench-stateless-latency-in-${run.name}`);
  const output = await topics.create(`bench-stateless-latency-out-${run.name}`);
  const applicationId = topics.trackGroup(`bench-stateless-${run.name}`);
  const records = rate * seconds;
  const client = createKafkaClient({ brokers: run.brokers, clientId: `bench-stateless-${run.adapter}` }, run.adapter);
  let load: OfferedLoad | undefined;
  const result = await engineWorker(
    {
      adapter: run.adapter,
      brokers: run.brokers,
      inputTopic: input,
      outputTopic: output,
      applicationId,
      settings: run.settings,
      inputRecords: records,
      measureLatency: true,
      warmupRecords: Math.min(rate, Math.floor(records / 10)),
      timeoutMs: seconds * 1000 + 120_000,
    },
    async () => {
      const producer = client.producer();
      try {
        load = await offerLoad(producer, input, rate, seconds);
      } finally {
        await producer.close();
      }
    },
  );
  const kept = expectedOutput(records);
  const outputCount = await topics.count(output);
  if (result.inputRecords !== records || outputCount !== kept) {
    throw failCheck(
      `${run.adapter} engine latency run processed ${result.inputRecords} of ${records} records and the output holds ${outputCount}; the filter keeps ${kept}.`,
    );
  }
  await topics.drop(input);
  await topics.drop(output);
  await topics.dropGroup(applicationId);
  return { run: result, load: load as OfferedLoad };
}

interface MemoryCheck {
  readonly records: number;
  readonly run: EngineRunResult;
  /** Median peak RSS of the engine's --records runs. */
  readonly baselinePeakRssMb: number;
  /** (peak RSS at `records` - baseline) / baseline, in percent. */
  readonly diffPct: number;
}

interface AdapterResult {
  readonly adapter: AdapterName;
  readonly settings: EngineSettings;
  readonly pipeSettings: PipeSettings;
  readonly runs: readonly EngineRunResult[];
  readonly pipeRuns: readonly PipeRunResult[];
  readonly recordsPerSec: number;
  readonly pipeRecordsPerSec: number;
  /** Engine records/s divided by pipe records/s (medians). */
  readonly ratio: number;
  readonly peakRssMb: number;
  readonly latency: LatencyOutcome | null;
  memory: MemoryCheck | null;
}

export const statelessScenario: BenchScenario = { name: 'stateless', usage, run: runStatelessScenario };

async function runStatelessScenario(argv: readonly string[]): Promise<void> {
  const options = parseStatelessOptions(argv);
  await withScenarioSession(
    { scenario: 'stateless', adapters: options.adapters, log, stopping: 'the workers' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
      const input = `bench-stateless-input-${id}`;
      const ends = await topics.loadInput(
        input,
        options.records,
        createKafkaClient(connection(firstAdapter), firstAdapter),
        firstAdapter,
      );
      const results: AdapterResult[] = [];
      for (const adapter of options.adapters) {
        const settings = options.settings[adapter];
        const pipeSettings = pipeTunedSettings[adapter];
        const engine: EngineRun = { adapter, brokers, settings, name: '', cpuProfileDir: options.cpuProfileDir };
        const runs: EngineRunResult[] = [];
        const pipeRuns: PipeRunResult[] = [];
        const name = (run: number) => `${id}-${adapter}-${run}`;
        await alternateRuns(
          options.runs,
          async (run) => {
            const result = await runPipeThroughput(topics, {
              adapter,
              brokers,
              input,
              ends,
              settings: pipeSettings,
              name: name(run),
            });
            log(
              `${adapter} pipe   run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, ` +
                `CPU ${result.processCpuPct}%, Kafka CPU ${result.kafkaCpuPct ?? '?'}%, machine ${result.machineCpuPct ?? '?'}%, ELU ${result.eventLoopUtilization}, RSS ${result.peakRssMb} MB (checked)`,
            );
            pipeRuns.push(result);
          },
          async (run) => {
            const result = await runEngineThroughput(topics, { ...engine, name: name(run) }, input, ends);
            log(
              `${adapter} engine run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, ` +
                `CPU ${result.processCpuPct}%, Kafka CPU ${result.kafkaCpuPct ?? '?'}%, machine ${result.machineCpuPct ?? '?'}%, ELU ${result.eventLoopUtilization}, ` +
                `${result.commits} commits, RSS ${result.peakRssMb} MB (output count and commits checked)`,
            );
            runs.push(result);
          },
        );

        let latency: LatencyOutcome | null = null;
        if (options.latencySeconds > 0) {
          log(
            `${adapter} engine latency: offering ${formatCount(options.latencyRate)} records/s for ${options.latencySeconds} s`,
          );
          latency = await runEngineLatency(
            topics,
            { ...engine, name: `${id}-${adapter}-latency` },
            options.latencyRate,
            options.latencySeconds,
          );
          const summary = latency.run.latency;
          log(
            `${adapter} engine latency: p50 ${summary?.p50Ms} ms, p99 ${summary?.p99Ms} ms, max ${summary?.maxMs} ms over ` +
              `${summary?.samples} records (offered ${formatCount(latency.load.achievedRate)} records/s; CPU ${latency.run.processCpuPct}%)`,
          );
        }

        const recordsPerSec = medianRate(runs);
        const pipeRecordsPerSec = medianRate(pipeRuns);
        results.push({
          adapter,
          settings,
          pipeSettings,
          runs,
          pipeRuns,
          recordsPerSec,
          pipeRecordsPerSec,
          ratio: rateRatio(recordsPerSec, pipeRecordsPerSec),
          peakRssMb: peakRss(runs),
          latency,
          memory: null,
        });
      }
      await topics.drop(input);

      if (options.memoryRecords > 0) {
        const memoryInput = `bench-stateless-memory-input-${id}`;
        const memoryEnds = await topics.loadInput(
          memoryInput,
          options.memoryRecords,
          createKafkaClient(connection(firstAdapter), firstAdapter),
          firstAdapter,
        );
        for (const result of results) {
          const run = await runEngineThroughput(
            topics,
            {
              adapter: result.adapter,
              brokers,
              settings: result.settings,
              name: `${id}-${result.adapter}-memory`,
              cpuProfileDir: undefined,
            },
            memoryInput,
            memoryEnds,
          );
          const baselinePeakRssMb = median(result.runs.map((r) => r.peakRssMb));
          result.memory = {
            records: options.memoryRecords,
            run,
            baselinePeakRssMb,
            diffPct: round(((run.peakRssMb - baselinePeakRssMb) / baselinePeakRssMb) * 100, 1),
          };
          log(
            `${result.adapter} memory check: peak RSS ${run.peakRssMb} MB at ${formatCount(options.memoryRecords)} records vs ` +
              `${baselinePeakRssMb} MB at ${formatCount(options.records)} (${result.memory.diffPct}%); ${formatCount(run.recordsPerSec)} records/s`,
          );
        }
        await topics.drop(memoryInput);
      }

      emitReport({
        scenario: 'stateless',
        json: options.json,
        jsonLines: results.map((result) => ({
          scenario: 'stateless',
          adapter: result.adapter,
          records: options.records,
          recordsPerSec: result.recordsPerSec,
          p50Ms: result.latency?.run.latency?.p50Ms ?? null,
          p99Ms: result.latency?.run.latency?.p99Ms ?? null,
          peakRssMb: result.peakRssMb,
          pipeRecordsPerSec: result.pipeRecordsPerSec,
          ratio: result.ratio,
          memoryCheck:
            result.memory === null
              ? null
              : {
                  records: result.memory.records,
                  peakRssMb: result.memory.run.peakRssMb,
                  baselineRecords: options.records,
                  baselinePeakRssMb: result.memory.baselinePeakRssMb,
                  diffPct: result.memory.diffPct,
                  run: result.memory.run,
                },
          runs: result.runs,
          pipeRuns: result.pipeRuns,
          latency:
            result.latency === null
              ? null
              : {
                  ...result.latency.run.latency,
                  offeredRate: options.latencyRate,
                  seconds: options.latencySeconds,
                  achievedRate: result.latency.load.achievedRate,
                  run: result.latency.run,
                },
          filter: { dropOneIn, outputRecords: expectedOutput(options.records) },
          settings: result.settings,
          pipeSettings: result.pipeSettings,
        })),
        brokers,
        machine,
        markdown: renderMarkdown(options, machine, results),
        writeResults: options.records === defaultRecords && options.memoryRecords === defaultMemoryRecords,
        log,
      });
    },
  );
}

function renderMarkdown(options: StatelessOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(1));
  const table = markdownTable(
    [
      'Adapter',
      'Engine records/s (median)',
      'Engine runs',
      'Pipe records/s (median)',
      'Pipe runs',
      'Engine / pipe',
      'p50 latency ms',
      'p99 latency ms',
      'Peak RSS MB',
      'Engine CPU %',
      'Event loop busy',
    ],
    results.map((r) => {
      const middle = middleRun(r.runs, r.recordsPerSec);
      return [
        r.adapter,
        formatCount(r.recordsPerSec),
        runRates(r.runs),
        formatCount(r.pipeRecordsPerSec),
        runRates(r.pipeRuns),
        ratioCell(r.ratio, 0.8),
        ms(r.latency?.run.latency?.p50Ms),
        ms(r.latency?.run.latency?.p99Ms),
        r.peakRssMb.toFixed(0),
        String(middle?.processCpuPct ?? 'n/a'),
        middle === undefined ? 'n/a' : percent(middle.eventLoopUtilization),
      ];
    }),
  );
  const withMemory = results.filter((r) => r.memory !== null);
  const memoryTable =
    withMemory.length === 0
      ? '- Memory check: not run (--memory-records 0).'
      : markdownTable(
          [
            'Adapter',
            `Peak RSS MB at ${formatCount(options.records)} (median)`,
            `Peak RSS MB at ${formatCount(options.memoryRecords)}`,
            'Difference',
            `Records/s at ${formatCount(options.memoryRecords)}`,
          ],
          withMemory.map((r) => {
            const memory = r.memory as MemoryCheck;
            return [
              r.adapter,
              memory.baselinePeakRssMb.toFixed(0),
              memory.run.peakRssMb.toFixed(0),
              `${memory.diffPct > 0 ? '+' : ''}${memory.diffPct}% ${Math.abs(memory.diffPct) <= 10 ? '(within 10%)' : '(over 10%)'}`,
              formatCount(memory.run.recordsPerSec),
            ];
          }),
        );
  const settings = engineSettingsText(results);
  const offered = results
    .filter((r) => r.latency !== null)
    .map((r) => `${r.adapter} ${formatCount(r.latency?.load.achievedRate ?? 0)}`)
    .join(', ');
  return [
    ...sectionHeader('## stateless: filter -> mapValues through the engine, against the raw pipe', machine),
    `- Topology: \`builder.stream(input, { keySerde: Serdes.string(), valueSerde: Serdes.bytes() }).filter(...).mapValues(...).to(output, same serdes)\`. The filter drops 1 record in ${formatCount(dropOneIn)} (sequence numbers ending in ${dropOneIn - 1}), so ${formatCount(expectedOutput(options.records))} of ${formatCount(options.records)} records reach the output; mapValues copies each value and upper-cases the ASCII letters of 32 of its bytes.`,
    `- Input: the pipe scenario's data, ${formatCount(options.records)} records (${keyBytes}-byte keys, ${valueBytes}-byte values) in a ${benchPartitions}-partition topic, loaded once. Per adapter, ${options.runs} engine run(s) and ${options.runs} pipe run(s) (the \`pipe\` scenario's worker and tuned settings) alternate on that input, each in its own process, from the earliest offset (a fresh application.id / group per run); medians are reported. Every run is checked: the output holds exactly the records the filter keeps (the pipe: all of them) and the group committed the input's end offsets.`,
    '- Records/s: input records processed divided by the time from the app reaching RUNNING (group joined) to the end of its final commit, which follows the last acknowledged output. The pipe is timed the same way (end of the group join to the final commit).',
    options.latencySeconds > 0
      ? `- Latency (separate phase per adapter, engine only, same method as the pipe's): a producer in the parent process offers ${formatCount(options.latencyRate)} records/s for ${options.latencySeconds} s to a fresh input topic while the app runs; each record carries the time its send() was called; latency = the moment the engine's produce of its output record was acknowledged minus that send time. The first second is warm-up and not counted. Offered rate achieved: ${offered} records/s.`
      : '- Latency: not measured (--latency-seconds 0).',
    `- Peak RSS: the largest process.resourceUsage().maxRSS of the engine processes; CPU columns: percent of one core during the median engine run. Memory check: one engine run per adapter over a separate ${formatCount(options.memoryRecords)}-record input, its peak RSS against the median peak RSS of the ${formatCount(options.records)}-record runs (target: within 10%).`,
    `- Engine settings (StreamsConfig, everything else default): ${settings}. Pipe settings: as in the pipe scenario.`,
    '',
    table,
    '',
    memoryTable,
  ].join('\n');
}

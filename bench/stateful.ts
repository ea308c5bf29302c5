// Scenario `stateful`: `groupByKey().count()` over 100,000 distinct keys with the DSL's default store
// (persistent LMDB, logged, cached) through the engine, side by side with the raw pipe on the same input,
// per adapter. Reports the engine's records/s as a share of the pipe's, its peak RSS against the cache
// budget in force, and checks every key's final count.
import { type AdapterName, createKafkaClient } from '../src/kafka/index.ts';
import { alternateRuns } from './alternating-runs-support.ts';
import { benchPartitions, failCheck } from './bench-topics-support.ts';
import { loadKeyedInput } from './keyed-load-support.ts';
import type { MachineInfo } from './machine-support.ts';
import { pipeTunedSettings, runPipeThroughput } from './pipe.ts';
import { keyBytes, valueBytes } from './pipe-load-support.ts';
import type { PipeRunResult } from './pipe-protocol-support.ts';
import {
  emitReport,
  engineSettingsText,
  medianRate,
  middleRun,
  peakRss,
  rateRatio,
  ratioCell,
  runRates,
  sectionHeader,
} from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { rssSplitCell, rssSplitText } from './rss-sampler-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags } from './scenario-support.ts';
import { changelogTopic, type StatefulRunResult } from './stateful-protocol-support.ts';
import { statefulWorker, timeoutFor, withTempStateDir } from './stateful-run-support.ts';
import { tunedSettings } from './stateless.ts';
import type { EngineSettings } from './stateless-protocol-support.ts';

const defaultRecords = 1_000_000;
const defaultKeys = 100_000;
/** StreamsConfig's default cacheMaxBytesPerStore, which the runs keep. */
const cacheMaxBytesPerStore = 10 * 1024 * 1024;
/** One count store per task, one task per input partition. */
const storesPerTask = 1;

const usage = `Usage: npm run bench -- stateful [options]

stream(input).groupByKey().count() through the engine (the DSL default store: persistent, logged, cached),
one KafkaStreams app per run in its own process with a fresh application id and state dir, against the raw
pipe (npm run bench -- pipe) on the same input, with each adapter. Every key's final count is checked
against the input. Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --records N      input records, ${keyBytes}-byte keys and ${valueBytes}-byte values over ${benchPartitions} partitions (default ${formatCount(defaultRecords)})
  --keys N         distinct keys (default ${formatCount(defaultKeys)})
  --runs N         engine and pipe runs per adapter, interleaved; medians are reported (default 3)
  --adapters a,b   adapters to compare (default platformatic,kafkajs)
  --json           one JSON object per adapter on stdout instead of the markdown table

With the default --records and --keys, the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  records: { type: 'string' },
  keys: { type: 'string' },
  runs: { type: 'string' },
  adapters: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface StatefulOptions {
  readonly records: number;
  readonly keys: number;
  readonly runs: number;
  readonly adapters: readonly AdapterName[];
  readonly json: boolean;
}

function parseOptions(argv: readonly string[]): StatefulOptions {
  const flags = parseFlags(argv, flagSpec, usage);
  return {
    records: integerFlag(flags, 'records', defaultRecords, usage),
    keys: integerFlag(flags, 'keys', defaultKeys, usage),
    runs: integerFlag(flags, 'runs', 3, usage, 1, 100),
    adapters: adaptersFlag(flags, usage),
    json: flags.get('json') === true,
  };
}

function log(message: string): void {
  process.stderr.write(`[bench stateful] ${message}\n`);
}

interface AdapterResult {
  readonly adapter: AdapterName;
  readonly settings: EngineSettings;
  readonly runs: readonly StatefulRunResult[];
  readonly pipeRuns: readonly PipeRunResult[];
  readonly recordsPerSec: number;
  readonly pipeRecordsPerSec: number;
  readonly ratio: number;
  readonly peakRssMb: number;
}

/** The cache budget in force: cacheMaxBytesPerStore x stores per task x tasks, in MB. */
const cacheBudgetMb = (cacheMaxBytesPerStore * storesPerTask * benchPartitions) / (1024 * 1024);

export const statefulScenario: BenchScenario = { name: 'stateful', usage, run: runStatefulScenario };

async function runStatefulScenario(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  await withScenarioSession(
    { scenario: 'stateful', adapters: options.adapters, log, stopping: 'the workers' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      const input = `bench-stateful-input-${id}`;
      const ends = await loadKeyedInput(
        topics,
        input,
        options.records,
        options.keys,
        createKafkaClient(connection(firstAdapter), firstAdapter),
        log,
      );
      const results: AdapterResult[] = [];
      for (const adapter of options.adapters) {
        const settings = tunedSettings[adapter];
        const runs: StatefulRunResult[] = [];
        const pipeRuns: PipeRunResult[] = [];
        await alternateRuns(
          options.runs,
          async (run) => {
            const result = await runPipeThroughput(topics, {
              adapter,
              brokers,
              input,
              ends,
              settings: pipeTunedSettings[adapter],
              name: `${id}-${adapter}-${run}`,
            });
            log(
              `${adapter} pipe   run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, RSS ${result.peakRssMb} MB (checked)`,
            );
            pipeRuns.push(result);
          },
          async (run) => {
            const name = `${id}-${adapter}-${run}`;
            const applicationId = topics.trackGroup(`bench-stateful-${name}`);
            try {
              const result = await withTempStateDir((stateDir) =>
                statefulWorker({
                  mode: 'count',
                  adapter,
                  brokers,
                  inputTopic: input,
                  applicationId,
                  stateDir,
                  settings,
                  inputRecords: options.records,
                  distinctKeys: options.keys,
                  timeoutMs: timeoutFor(options.records),
                }),
              );
              if (result.records !== options.records) {
                throw failCheck(`${adapter} count ${name} processed ${result.records} of ${options.records} records.`);
              }
              await topics.checkCommitted(applicationId, input, ends);
              log(
                `${adapter} engine run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, ` +
                  `CPU ${result.processCpuPct}%, RSS ${result.peakRssMb} MB${rssSplitText(result.peakRssSplit)} (${formatCount(result.keysChecked)} counts and commits checked)`,
              );
              runs.push(result);
            } finally {
              await topics.admin.deleteTopics([changelogTopic(applicationId)]).catch(() => undefined);
              await topics.dropGroup(applicationId).catch(() => undefined);
            }
          },
        );
        const recordsPerSec = medianRate(runs);
        const pipeRecordsPerSec = medianRate(pipeRuns);
        results.push({
          adapter,
          settings,
          runs,
          pipeRuns,
          recordsPerSec,
          pipeRecordsPerSec,
          ratio: rateRatio(recordsPerSec, pipeRecordsPerSec),
          peakRssMb: peakRss(runs),
        });
      }
      await topics.drop(input);
      emitReport({
        scenario: 'stateful',
        json: options.json,
        jsonLines: results.map((result) => ({
          scenario: 'stateful',
          adapter: result.adapter,
          records: options.records,
          keys: options.keys,
          recordsPerSec: result.recordsPerSec,
          pipeRecordsPerSec: result.pipeRecordsPerSec,
          ratio: result.ratio,
          peakRssMb: result.peakRssMb,
          cacheBudget: { cacheMaxBytesPerStore, storesPerTask, tasks: benchPartitions, totalMb: cacheBudgetMb },
          runs: result.runs,
          pipeRuns: result.pipeRuns,
          settings: result.settings,
        })),
        brokers,
        machine,
        markdown: renderMarkdown(options, machine, results),
        writeResults: options.records === defaultRecords && options.keys === defaultKeys,
        log,
      });
    },
  );
}

/** The heap limit the workers inherit (NODE_OPTIONS or the parent's flags), as Node's -Xmx. */
function heapSetting(): string {
  const flag = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].find((arg) =>
    arg.startsWith('--max-old-space-size'),
  );
  return flag === undefined
    ? "Node's default limit (V8 sizes the old space from the machine's memory and collects lazily below it)"
    : `\`${flag}\` (old-space limit in MB, the counterpart of the JVM's -Xmx)`;
}

function renderMarkdown(options: StatefulOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const table = markdownTable(
    [
      'Adapter',
      'Engine records/s (median)',
      'Engine runs',
      'Pipe records/s (median)',
      'Pipe runs',
      'Engine / pipe',
      'Peak RSS MB',
      'Pipe peak RSS MB',
      'Engine - pipe RSS MB',
      'Peak RssAnon / RssFile MB',
      'Cache budget MB',
      'Engine CPU %',
    ],
    results.map((r) => {
      const middle = middleRun(r.runs, r.recordsPerSec);
      return [
        r.adapter,
        formatCount(r.recordsPerSec),
        runRates(r.runs),
        formatCount(r.pipeRecordsPerSec),
        runRates(r.pipeRuns),
        ratioCell(r.ratio, 0.5),
        r.peakRssMb.toFixed(0),
        peakRss(r.pipeRuns).toFixed(0),
        (r.peakRssMb - peakRss(r.pipeRuns)).toFixed(0),
        rssSplitCell(r.runs),
        String(cacheBudgetMb),
        String(middle?.processCpuPct ?? 'n/a'),
      ];
    }),
  );
  const settings = engineSettingsText(results);
  return [
    ...sectionHeader('## stateful: groupByKey().count() through the engine, against the raw pipe', machine),
    "- Topology: `builder.stream(input, { keySerde: Serdes.string(), valueSerde: Serdes.bytes() }).groupByKey().count({ storeName: 'counts' })`: the DSL's default store, persistent (LMDB), logged (changelog) and cached.",
    `- Input: the pipe scenario's shape, ${formatCount(options.records)} records (${keyBytes}-byte keys, ${valueBytes}-byte values) in a ${benchPartitions}-partition topic, but over ${formatCount(options.keys)} distinct keys; loaded once. Per adapter, ${options.runs} engine run(s) and ${options.runs} pipe run(s) alternate on that input, each in its own process; every engine run has a fresh application id and a fresh temporary state dir (deleted after); medians are reported. Checked: every key's final count (its last changelog value) equals its number of input records, and the group committed the input's end offsets; the pipe is checked as in the pipe scenario.`,
    '- Records/s: input records divided by the time from RUNNING to the end of the final commit (which flushes the caches into the changelog and LMDB); the pipe is timed the same way.',
    `- Cache budget: cacheMaxBytesPerStore ${formatCount(cacheMaxBytesPerStore)} B (default) x ${storesPerTask} store per task x ${benchPartitions} tasks = ${cacheBudgetMb} MB. Peak RSS: the largest process.resourceUsage().maxRSS of the engine processes, and of the pipe processes; the target is engine minus pipe within this budget plus a fixed overhead. RssAnon / RssFile: the largest of each, sampled from /proc/self/status every 50 ms up to the same point: anonymous memory (JS heap, buffers) vs mapped files (LMDB's pages, reclaimable).`,
    `- Engine settings (StreamsConfig, everything else default): ${settings}. Pipe settings: as in the pipe scenario.`,
    `- V8 heap: ${heapSetting()}. Engine and pipe processes run with the same setting.`,
    '',
    table,
  ].join('\n');
}

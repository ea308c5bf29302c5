// Scenario `restore`: a count app's changelog restored into an empty state dir through the engine, side by
// side with a raw read of the same changelog (the port's AssignedConsumer, to the end), per adapter. The
// changelog is built once per adapter by running the count app over an input with one key per record, so
// it holds one record per input record.
import { type AdapterName, createKafkaClient } from '../src/kafka/index.ts';
import { alternateRuns } from './alternating-runs-support.ts';
import { benchPartitions, failCheck } from './bench-topics-support.ts';
import { loadKeyedInput } from './keyed-load-support.ts';
import type { MachineInfo } from './machine-support.ts';
import { keyBytes, valueBytes } from './pipe-load-support.ts';
import { emitReport, medianRate, peakRss, rateRatio, ratioCell, runRates, sectionHeader } from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { rssSplitText } from './rss-sampler-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags } from './scenario-support.ts';
import { changelogTopic, type StatefulRunResult } from './stateful-protocol-support.ts';
import { statefulWorker, timeoutFor, withTempStateDir } from './stateful-run-support.ts';
import { tunedSettings } from './stateless.ts';
import { median } from './stats-support.ts';

const defaultRecords = 1_000_000;
// Five: on a 2-core machine shared with the broker single runs vary by 20 %; a median of five holds better.
const defaultRuns = 5;

const usage = `Usage: npm run bench -- restore [options]

Builds a changelog of N records by running stream(input).groupByKey().count() once over N records with N
distinct keys (${keyBytes}-byte keys, ${valueBytes}-byte values, ${benchPartitions} partitions), then, per run, starts the
same app on an empty state dir (it restores every record; timed from start() to RUNNING) and, interleaved,
reads the changelog to its end with the adapter's AssignedConsumer and the app's fetch size in a separate process
(the raw consume: decoded records), then again reading the fetched record batches in place as restoration does
(the batch read: restoration without its stores).
Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --records N      changelog records (default ${formatCount(defaultRecords)})
  --runs N         restore and raw-consume runs per adapter, interleaved; medians are reported (default ${defaultRuns})
  --adapters a,b   adapters to compare (default platformatic,kafkajs)
  --json           one JSON object per adapter on stdout instead of the markdown table

With the default --records, the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  records: { type: 'string' },
  runs: { type: 'string' },
  adapters: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface RestoreOptions {
  readonly records: number;
  readonly runs: number;
  readonly adapters: readonly AdapterName[];
  readonly json: boolean;
}

function log(message: string): void {
  process.stderr.write(`[bench restore] ${message}\n`);
}

interface AdapterResult {
  readonly adapter: AdapterName;
  readonly build: StatefulRunResult;
  readonly runs: readonly StatefulRunResult[];
  readonly consumeRuns: readonly StatefulRunResult[];
  /** Reads of the changelog's fetched record batches in place, restoration's own reading without stores. */
  readonly batchReadRuns: readonly StatefulRunResult[];
  readonly recordsPerSec: number;
  readonly consumeRecordsPerSec: number;
  readonly batchReadRecordsPerSec: number;
  readonly ratio: number;
  readonly peakRssMb: number;
}

export const restoreScenario: BenchScenario = { name: 'restore', usage, run: runRestoreScenario };

async function runRestoreScenario(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, flagSpec, usage);
  const options: RestoreOptions = {
    records: integerFlag(flags, 'records', defaultRecords, usage),
    runs: integerFlag(flags, 'runs', defaultRuns, usage, 1, 100),
    adapters: adaptersFlag(flags, usage),
    json: flags.get('json') === true,
  };
  await withScenarioSession(
    { scenario: 'restore', adapters: options.adapters, log, stopping: 'the workers' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      const changelogs: string[] = [];
      try {
        const input = `bench-restore-input-${id}`;
        const ends = await loadKeyedInput(
          topics,
          input,
          options.records,
          options.records,
          createKafkaClient(connection(firstAdapter), firstAdapter),
          log,
        );
        const timeoutMs = timeoutFor(options.records);
        const results: AdapterResult[] = [];
        for (const adapter of options.adapters) {
          const settings = tunedSettings[adapter];
          const applicationId = topics.trackGroup(`bench-restore-${id}-${adapter}`);
          const changelog = changelogTopic(applicationId);
          changelogs.push(changelog);
          const build = await withTempStateDir((stateDir) =>
            statefulWorker({
              mode: 'count',
              adapter,
              brokers,
              inputTopic: input,
              applicationId,
              stateDir,
              settings,
              inputRecords: options.records,
              distinctKeys: options.records,
              timeoutMs,
            }),
          );
          await topics.checkCommitted(applicationId, input, ends);
          const changelogRecords = await topics.count(changelog);
          if (changelogRecords !== options.records) {
            throw failCheck(`${changelog} holds ${changelogRecords} records, expected ${options.records}.`);
          }
          log(
            `${adapter} changelog built: ${formatCount(changelogRecords)} records (${formatCount(build.recordsPerSec)} records/s counted; counts checked)`,
          );

          const runs: StatefulRunResult[] = [];
          const consumeRuns: StatefulRunResult[] = [];
          const batchReadRuns: StatefulRunResult[] = [];
          const consume = async (run: number, undecoded: boolean) => {
            const result = await statefulWorker({
              mode: 'consume',
              adapter,
              brokers,
              topic: changelog,
              partitions: benchPartitions,
              fetchMaxBytes: settings.fetchMaxBytes,
              timeoutMs,
              undecoded,
            });
            const what = undecoded ? 'batch read' : 'consume';
            if (result.records !== options.records) {
              throw failCheck(`${adapter} ${what} run ${run} read ${result.records} of ${options.records} records.`);
            }
            log(
              `${adapter} ${what} run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, CPU ${result.processCpuPct}%, RSS ${result.peakRssMb} MB (checked)`,
            );
            (undecoded ? batchReadRuns : consumeRuns).push(result);
          };
          await alternateRuns(
            options.runs,
            async (run) => {
              await consume(run, false);
              await consume(run, true);
            },
            async (run) => {
              const result = await withTempStateDir((stateDir) =>
                statefulWorker({
                  mode: 'restore',
                  adapter,
                  brokers,
                  inputTopic: input,
                  applicationId,
                  stateDir,
                  settings,
                  timeoutMs,
                }),
              );
              if (result.records !== options.records) {
                throw failCheck(
                  `${adapter} restore run ${run} restored ${result.records} of ${options.records} records.`,
                );
              }
              log(
                `${adapter} restore run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s, ${result.seconds} s from start() to RUNNING ` +
                  `(restoration itself ${result.restoreElapsedMs} ms), CPU ${result.processCpuPct}%, RSS ${result.peakRssMb} MB${rssSplitText(result.peakRssSplit)} (record count checked)`,
              );
              runs.push(result);
            },
          );
          await topics.admin.deleteTopics([changelog]).catch(() => undefined);
          await topics.dropGroup(applicationId).catch(() => undefined);
          const recordsPerSec = medianRate(runs);
          const consumeRecordsPerSec = medianRate(consumeRuns);
          results.push({
            adapter,
            build,
            runs,
            consumeRuns,
            batchReadRuns,
            recordsPerSec,
            consumeRecordsPerSec,
            batchReadRecordsPerSec: medianRate(batchReadRuns),
            ratio: rateRatio(recordsPerSec, consumeRecordsPerSec),
            peakRssMb: peakRss(runs),
          });
        }
        await topics.drop(input);
        emitReport({
          scenario: 'restore',
          json: options.json,
          jsonLines: results.map((result) => ({
            scenario: 'restore',
            adapter: result.adapter,
            records: options.records,
            recordsPerSec: result.recordsPerSec,
            consumeRecordsPerSec: result.consumeRecordsPerSec,
            batchReadRecordsPerSec: result.batchReadRecordsPerSec,
            ratio: result.ratio,
            peakRssMb: result.peakRssMb,
            build: result.build,
            runs: result.runs,
            consumeRuns: result.consumeRuns,
            batchReadRuns: result.batchReadRuns,
            settings: tunedSettings[result.adapter],
          })),
          brokers,
          machine,
          markdown: renderMarkdown(options, machine, results),
          writeResults: options.records === defaultRecords,
          log,
        });
      } finally {
        await topics.admin.deleteTopics(changelogs).catch(() => undefined);
      }
    },
  );
}

/** The restoration's own rate (records / median restoration time) over the raw consume's median rate. */
function aloneRatio(result: AdapterResult, records: number): number {
  const aloneMs = median(result.runs.map((run) => run.restoreElapsedMs ?? 0));
  return aloneMs > 0 ? rateRatio((records * 1000) / aloneMs, result.consumeRecordsPerSec) : 0;
}

function renderMarkdown(options: RestoreOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const table = markdownTable(
    [
      'Adapter',
      'Restore records/s (median)',
      'Restore runs',
      'Restoration alone ms (median)',
      'Raw consume records/s (median)',
      'Raw consume runs',
      'Restore / consume',
      'Restoration alone / consume',
      'Batch read records/s (median)',
      'Restore / batch read',
      'Peak RSS MB',
    ],
    results.map((r) => [
      r.adapter,
      formatCount(r.recordsPerSec),
      runRates(r.runs),
      formatCount(median(r.runs.map((run) => run.restoreElapsedMs ?? 0))),
      formatCount(r.consumeRecordsPerSec),
      runRates(r.consumeRuns),
      ratioCell(r.ratio, 0.8),
      `${Math.round(aloneRatio(r, options.records) * 100)}%`,
      formatCount(r.batchReadRecordsPerSec),
      `${Math.round(rateRatio(r.recordsPerSec, r.batchReadRecordsPerSec) * 100)}%`,
      r.peakRssMb.toFixed(0),
    ]),
  );
  return [
    ...sectionHeader('## restore: a count changelog into an empty state dir, against a raw consume of it', machine),
    `- Changelog: per adapter, \`stream(input).groupByKey().count({ storeName: 'counts' })\` (persistent, logged, cached) runs once over ${formatCount(options.records)} records with as many distinct keys (${keyBytes}-byte keys, ${benchPartitions} partitions), so its changelog holds ${formatCount(options.records)} records (checked, as are the counts).`,
    `- Restore: the same app (same application id) started on a fresh empty temporary state dir, so every task restores its store from the changelog before processing; records/s = the records restored (the "Restored state stores." log lines, summed and checked) divided by the time from start() to RUNNING, which includes the group join; the target (>= 80 %) is judged on it. "Restoration alone" is the longest of the log lines' elapsedMs (tasks restore together, each timed from the joint start: the restore consumer's offsets lookups to the last store written), the span Kafka Streams' restore listener and restore-rate metric time; its ratio is shown beside.`,
    `- Raw consume: the adapter's AssignedConsumer (the port restoration uses) reading all ${benchPartitions} changelog partitions from offset 0 to their end offsets in a separate process with the app's fetch size, timed from creating the consumer (its bootstrap and end-offsets lookup included) to the last record. ${options.runs} run(s) of each alternate per adapter; medians are reported.`,
    `- Batch read: the same read through \`pollBatches\`, walking the fetched record batches in place with a \`RecordBatchCursor\` as restoration does, with no store: restoration's own reading, the tightest ceiling. It runs right after each raw consume. Restoration reads this way on both adapters, so it may beat the raw consume, which decodes every record into objects; the raw consume stays the issue's yardstick.`,
    '',
    table,
  ].join('\n');
}

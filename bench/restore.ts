// Scenario `restore`: a count app's changelog restored into an empty state dir through the engine, side by
// side with a raw read of the same changelog (the port's AssignedConsumer, to the end), per adapter. The
// changelog is built once per adapter by running the count app over an input with one key per record, so
// it holds one record per input record.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type AdapterName, createKafkaClient } from '../src/kafka/index.ts';
import { BenchTopics, benchPartitions, failCheck } from './bench-topics-support.ts';
import { assertBrokersReachable, brokersFromEnv } from './broker-support.ts';
import { loadKeyedInput } from './keyed-load-support.ts';
import { type MachineInfo, machineInfo } from './machine-support.ts';
import { keyBytes, valueBytes } from './pipe-load-support.ts';
import { formatCount, markdownTable, writeResultsSection } from './results-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags } from './scenario-support.ts';
import { changelogTopic, type StatefulRunResult } from './stateful-protocol-support.ts';
import { statefulWorker, timeoutFor, withTempStateDir } from './stateful-run-support.ts';
import { tunedSettings } from './stateless.ts';
import { median, round } from './stats-support.ts';
import { killWorkers } from './worker-support.ts';

const defaultRecords = 1_000_000;
const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

const usage = `Usage: npm run bench -- restore [options]

Builds a changelog of N records by running stream(input).groupByKey().count() once over N records with N
distinct keys (${keyBytes}-byte keys, ${valueBytes}-byte values, ${benchPartitions} partitions), then, per run, starts the
same app on an empty state dir (it restores every record; timed from start() to RUNNING) and, interleaved,
reads the changelog to its end with the adapter's AssignedConsumer in a separate process (the ceiling).
Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --records N      changelog records (default ${formatCount(defaultRecords)})
  --runs N         restore and raw-consume runs per adapter, interleaved; medians are reported (default 3)
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
  readonly recordsPerSec: number;
  readonly consumeRecordsPerSec: number;
  readonly ratio: number;
  readonly peakRssMb: number;
}

export const restoreScenario: BenchScenario = { name: 'restore', usage, run: runRestoreScenario };

async function runRestoreScenario(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, flagSpec, usage);
  const options: RestoreOptions = {
    records: integerFlag(flags, 'records', defaultRecords, usage),
    runs: integerFlag(flags, 'runs', 3, usage, 1, 100),
    adapters: adaptersFlag(flags, usage),
    json: flags.get('json') === true,
  };
  const brokers = brokersFromEnv();
  await assertBrokersReachable(brokers);
  const machine = machineInfo();
  const id = randomUUID().slice(0, 8);
  const firstAdapter = options.adapters[0] as AdapterName;
  const connection = { brokers, clientId: `bench-restore-${firstAdapter}` };
  const topics = new BenchTopics(createKafkaClient(connection, firstAdapter).admin(), log);
  const interrupt = () => {
    log('interrupted: stopping the workers and deleting the benchmark topics');
    killWorkers();
  };
  process.once('SIGINT', interrupt);
  const changelogs: string[] = [];
  try {
    const input = `bench-restore-input-${id}`;
    const ends = await loadKeyedInput(
      topics,
      input,
      options.records,
      options.records,
      createKafkaClient(connection, firstAdapter),
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
      for (let run = 1; run <= options.runs; run++) {
        const restoreOnce = async () => {
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
            throw failCheck(`${adapter} restore run ${run} restored ${result.records} of ${options.records} records.`);
          }
          log(
            `${adapter} restore run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s, ${result.seconds} s from start() to RUNNING ` +
              `(restoration itself ${result.restoreElapsedMs} ms), CPU ${result.processCpuPct}%, RSS ${result.peakRssMb} MB (record count checked)`,
          );
          runs.push(result);
        };
        const consumeOnce = async () => {
          const result = await statefulWorker({
            mode: 'consume',
            adapter,
            brokers,
            topic: changelog,
            partitions: benchPartitions,
            timeoutMs,
          });
          if (result.records !== options.records) {
            throw failCheck(`${adapter} raw consume run ${run} read ${result.records} of ${options.records} records.`);
          }
          log(
            `${adapter} consume run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, CPU ${result.processCpuPct}%, RSS ${result.peakRssMb} MB (checked)`,
          );
          consumeRuns.push(result);
        };
        // Alternate which goes first, so a drift in machine load (or the page cache) does not favour one side.
        if (run % 2 === 1) {
          await consumeOnce();
          await restoreOnce();
        } else {
          await restoreOnce();
          await consumeOnce();
        }
      }
      await topics.admin.deleteTopics([changelog]).catch(() => undefined);
      await topics.dropGroup(applicationId).catch(() => undefined);
      const recordsPerSec = Math.round(median(runs.map((r) => r.recordsPerSec)));
      const consumeRecordsPerSec = Math.round(median(consumeRuns.map((r) => r.recordsPerSec)));
      results.push({
        adapter,
        build,
        runs,
        consumeRuns,
        recordsPerSec,
        consumeRecordsPerSec,
        ratio: round(recordsPerSec / consumeRecordsPerSec, 3),
        peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      });
    }
    await topics.drop(input);
    report(options, machine, brokers, results);
  } finally {
    process.removeListener('SIGINT', interrupt);
    await topics.admin.deleteTopics(changelogs).catch(() => undefined);
    await topics.cleanUp();
  }
}

function report(
  options: RestoreOptions,
  machine: MachineInfo,
  brokers: readonly string[],
  results: readonly AdapterResult[],
): void {
  if (options.json) {
    for (const result of results) {
      const line = {
        scenario: 'restore',
        adapter: result.adapter,
        records: options.records,
        recordsPerSec: result.recordsPerSec,
        consumeRecordsPerSec: result.consumeRecordsPerSec,
        ratio: result.ratio,
        peakRssMb: result.peakRssMb,
        build: result.build,
        runs: result.runs,
        consumeRuns: result.consumeRuns,
        settings: tunedSettings[result.adapter],
        brokers,
        machine,
        date: new Date().toISOString(),
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  const markdown = renderMarkdown(options, machine, results);
  if (!options.json) process.stdout.write(`${markdown}\n`);
  if (options.records === defaultRecords) {
    writeResultsSection(resultsFile, 'restore', markdown);
    log(`wrote the table to ${resultsFile}`);
  }
}

function renderMarkdown(options: RestoreOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const pct = (value: number) => `${Math.round(value * 100)}%`;
  const table = markdownTable(
    [
      'Adapter',
      'Restore records/s (median)',
      'Restore runs',
      'Restoration alone ms (median)',
      'Raw consume records/s (median)',
      'Raw consume runs',
      'Restore / consume',
      'Peak RSS MB',
    ],
    results.map((r) => [
      r.adapter,
      formatCount(r.recordsPerSec),
      r.runs.map((run) => formatCount(run.recordsPerSec)).join(' / '),
      formatCount(median(r.runs.map((run) => run.restoreElapsedMs ?? 0))),
      formatCount(r.consumeRecordsPerSec),
      r.consumeRuns.map((run) => formatCount(run.recordsPerSec)).join(' / '),
      `${pct(r.ratio)} ${r.ratio >= 0.8 ? '(target met)' : '(below 80%)'}`,
      r.peakRssMb.toFixed(0),
    ]),
  );
  return [
    '## restore: a count changelog into an empty state dir, against a raw consume of it',
    '',
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ${machine.os}; Node ${machine.node}; Kafka ${machine.brokerVersion}, one KRaft broker on the same machine, sharing its CPUs`,
    `- Command: \`KAFKA_BROKERS=${process.env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092'} npm run bench -- ${process.argv.slice(2).join(' ')}\``,
    `- Changelog: per adapter, \`stream(input).groupByKey().count({ storeName: 'counts' })\` (persistent, logged, cached) runs once over ${formatCount(options.records)} records with as many distinct keys (${keyBytes}-byte keys, ${benchPartitions} partitions), so its changelog holds ${formatCount(options.records)} records (checked, as are the counts).`,
    `- Restore: the same app (same application id) started on a fresh empty temporary state dir, so every task restores its store from the changelog before processing; records/s = the records restored (the "Restored state stores." log lines, summed and checked) divided by the time from start() to RUNNING, which includes the group join. "Restoration alone" sums the log lines' elapsedMs.`,
    `- Raw consume: the adapter's AssignedConsumer (the port restoration uses) reading all ${benchPartitions} changelog partitions from offset 0 to their end offsets in a separate process, timed from assign to the last record. ${options.runs} run(s) of each alternate per adapter; medians are reported.`,
    '',
    table,
  ].join('\n');
}

// Scenario `pipe`: a raw consume -> produce pipe per Kafka client adapter, without the engine. It is the
// ceiling the engine is measured against: records/s on a preloaded backlog, end-to-end latency at a fixed
// offered rate, and peak RSS of the pipe process.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { KStreamsError } from '../src/errors.ts';
import {
  type AdapterName,
  type Admin,
  adapterNames,
  createKafkaClient,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../src/kafka/index.ts';
import { assertBrokersReachable, brokersFromEnv } from './broker-support.ts';
import { type MachineInfo, machineInfo } from './machine-support.ts';
import { keyBytes, loadInput, type OfferedLoad, offerLoad, valueBytes } from './pipe-load-support.ts';
import type { PipeJob, PipeRunResult, PipeSettings, PipeTarget, PipeWorkerMessage } from './pipe-protocol-support.ts';
import { formatCount, markdownTable, writeResultsSection } from './results-support.ts';
import { type BenchScenario, integerFlag, parseFlags, usageError } from './scenario-support.ts';
import { median } from './stats-support.ts';

const defaultRecords = 1_000_000;
const partitions = 6;
const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const workerFile = fileURLToPath(new URL('./pipe-worker.ts', import.meta.url));

/** The fastest settings found for each adapter on the reference machine (see RESULTS.md). */
const tunedSettings: Readonly<Record<AdapterName, PipeSettings>> = {
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
  const adapters = String(flags.get('adapters') ?? adapterNames.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  for (const name of adapters) {
    if (!(adapterNames as readonly string[]).includes(name)) {
      throw usageError(`Unknown adapter "${name}" in --adapters; use ${adapterNames.join(', ')}.`, usage);
    }
  }
  if (adapters.length === 0) throw usageError('--adapters names no adapter.', usage);
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
    adapters: [...new Set(adapters)] as AdapterName[],
    latencyRate: integerFlag(flags, 'latency-rate', 10_000, usage),
    latencySeconds: integerFlag(flags, 'latency-seconds', 10, usage, 0),
    json: flags.get('json') === true,
    settings: { platformatic: override(tunedSettings.platformatic), kafkajs: override(tunedSettings.kafkajs) },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench pipe] ${message}\n`);
}

/** Runs one pipe in its own process; `onReady` runs once its consumer has joined (the latency load). */
function runWorker(job: PipeJob, onReady?: () => Promise<unknown>): Promise<PipeRunResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(workerFile, [JSON.stringify(job)], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    activeChildren.add(child);
    let outcome: PipeWorkerMessage | undefined;
    let readyWork: Promise<unknown> = Promise.resolve();
    let readyFailure: unknown;
    const guard = setTimeout(() => child.kill('SIGKILL'), job.timeoutMs + 60_000);
    child.on('message', (message: PipeWorkerMessage) => {
      if (message.type !== 'ready') {
        outcome = message;
        return;
      }
      if (onReady === undefined) return;
      readyWork = onReady().catch((error: unknown) => {
        readyFailure = error;
        child.kill('SIGKILL');
      });
    });
    child.on('error', reject);
    // 'close' comes after the IPC channel closed, so the worker's last message has arrived.
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      activeChildren.delete(child);
      void readyWork.then(() => {
        if (readyFailure !== undefined) reject(readyFailure);
        else if (outcome?.type === 'result') resolve(outcome.result);
        else {
          const reason = outcome?.type === 'failed' ? outcome.message : `it exited with ${signal ?? `code ${code}`}`;
          reject(
            new KStreamsError('KAFKA_CONSUME_FAILED', `The ${job.adapter} pipe run failed: ${reason}`, {
              hint: 'Check the adapter with its contract tests (test/kafka/contract/) and the broker log.',
            }),
          );
        }
      });
    });
  });
}

const activeChildren = new Set<ChildProcess>();

async function topicCount(admin: Admin, topic: string): Promise<number> {
  const tps: TopicPartition[] = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  const [earliest, latest] = await Promise.all([admin.listOffsets(tps, 'earliest'), admin.listOffsets(tps, 'latest')]);
  const start = new Map(earliest.map((o) => [o.partition, o.offset]));
  return latest.reduce((sum, o) => sum + o.offset - (start.get(o.partition) ?? 0), 0);
}

function failCheck(message: string): KStreamsError {
  return new KStreamsError('KAFKA_PRODUCE_FAILED', `Correctness check failed: ${message}`, {
    hint: 'The pipe lost or duplicated records or committed wrong offsets; this run is not valid.',
  });
}

/** The committed offsets must be exactly the input's end offsets (Kafka convention: last piped + 1). */
async function checkCommitted(admin: Admin, groupId: string, topic: string, ends: readonly TopicPartitionOffset[]) {
  const committed = new Map((await admin.committedOffsets(groupId, [topic])).map((o) => [o.partition, o.offset]));
  for (const end of ends) {
    if (end.offset > 0 && committed.get(end.partition) !== end.offset) {
      throw failCheck(
        `group ${groupId} committed ${committed.get(end.partition) ?? 'nothing'} on partition ${end.partition}, expected ${end.offset}.`,
      );
    }
  }
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
  const brokers = brokersFromEnv();
  await assertBrokersReachable(brokers);
  const machine = machineInfo();
  const id = randomUUID().slice(0, 8);
  const connection = (adapter: AdapterName) => ({ brokers, clientId: `bench-pipe-${adapter}` });
  const admin = createKafkaClient(connection(options.adapters[0] as AdapterName), options.adapters[0]).admin();
  const topics = new Set<string>();
  const groups = new Set<string>();
  const createTopic = async (name: string) => {
    await admin.createTopics([{ name, partitions }]);
    topics.add(name);
    return name;
  };
  const dropTopic = async (name: string) => {
    await admin.deleteTopics([name]);
    topics.delete(name);
  };
  const dropGroup = async (groupId: string) => {
    await admin.deleteGroups([groupId]);
    groups.delete(groupId);
  };
  const interrupt = () => {
    log('interrupted: stopping the pipe and deleting the benchmark topics');
    for (const child of activeChildren) child.kill('SIGKILL');
  };
  process.once('SIGINT', interrupt);

  try {
    const input = await createTopic(`bench-pipe-input-${id}`);
    log(`loading ${formatCount(options.records)} records into ${input} (${partitions} partitions)`);
    const loadStart = performance.now();
    const loader = createKafkaClient(connection(options.adapters[0] as AdapterName), options.adapters[0]).producer({
      lingerMs: 0,
    });
    let reported = 0;
    try {
      await loadInput(loader, input, options.records, (written) => {
        if (written - reported >= 200_000) {
          reported = written;
          log(`  ${formatCount(written)} written`);
        }
      });
    } finally {
      await loader.close();
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    log(`loaded in ${loadSeconds.toFixed(1)} s (${formatCount(options.records / loadSeconds)} records/s)`);
    const inputPartitions = Array.from({ length: partitions }, (_, partition) => ({ topic: input, partition }));
    const ends = await admin.listOffsets(inputPartitions, 'latest');
    const inputCount = await topicCount(admin, input);
    if (inputCount !== options.records)
      throw failCheck(`the input holds ${inputCount} records, expected ${options.records}.`);

    const results: AdapterResult[] = [];
    for (const adapter of options.adapters) {
      const settings = options.settings[adapter];
      const runs: PipeRunResult[] = [];
      for (let run = 1; run <= options.runs; run++) {
        const output = await createTopic(`bench-pipe-output-${id}-${adapter}-${run}`);
        const groupId = `bench-pipe-${id}-${adapter}-${run}`;
        groups.add(groupId);
        const target: PipeTarget = { kind: 'offsets', ends };
        const result = await runWorker({
          adapter,
          brokers,
          inputTopic: input,
          outputTopic: output,
          groupId,
          settings,
          target,
          warmupRecords: 0,
          timeoutMs: Math.round(options.records / 1000) * 1000 + 120_000,
        });
        const outputCount = await topicCount(admin, output);
        if (result.records !== inputCount || outputCount !== result.records) {
          throw failCheck(
            `${adapter} run ${run} piped ${result.records} of ${inputCount} records and the output holds ${outputCount}.`,
          );
        }
        await checkCommitted(admin, groupId, input, ends);
        log(
          `${adapter} run ${run}/${options.runs}: ${formatCount(result.recordsPerSec)} records/s in ${result.seconds} s, ` +
            `pipe CPU ${result.processCpuPct}%, Kafka CPU ${result.kafkaCpuPct ?? '?'}%, machine ${result.machineCpuPct ?? '?'}%, ELU ${result.eventLoopUtilization}, ` +
            `${result.meanPollRecords} records/poll, RSS ${result.peakRssMb} MB (output count and commits checked)`,
        );
        runs.push(result);
        await dropTopic(output);
        await dropGroup(groupId);
      }

      let latency: PipeRunResult | null = null;
      const offered: { load: OfferedLoad | null } = { load: null };
      if (options.latencySeconds > 0) {
        const latencyIn = await createTopic(`bench-pipe-latency-in-${id}-${adapter}`);
        const latencyOut = await createTopic(`bench-pipe-latency-out-${id}-${adapter}`);
        const groupId = `bench-pipe-${id}-${adapter}-latency`;
        groups.add(groupId);
        const records = options.latencyRate * options.latencySeconds;
        log(
          `${adapter} latency: offering ${formatCount(options.latencyRate)} records/s for ${options.latencySeconds} s`,
        );
        const client = createKafkaClient(connection(adapter), adapter);
        latency = await runWorker(
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
        const outputCount = await topicCount(admin, latencyOut);
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
        await dropTopic(latencyIn);
        await dropTopic(latencyOut);
        await dropGroup(groupId);
      }

      results.push({
        adapter,
        settings,
        runs,
        recordsPerSec: Math.round(median(runs.map((r) => r.recordsPerSec))),
        peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
        latency,
        load: offered.load,
      });
    }

    report(options, machine, brokers, results);
  } finally {
    process.removeListener('SIGINT', interrupt);
    await cleanUp(admin, topics, groups);
  }
}

async function cleanUp(admin: Admin, topics: Set<string>, groups: Set<string>): Promise<void> {
  try {
    if (groups.size > 0)
      await admin
        .deleteGroups([...groups])
        .catch((e: unknown) => log(`could not delete groups ${[...groups].join(', ')}: ${String(e)}`));
    if (topics.size > 0)
      await admin
        .deleteTopics([...topics])
        .catch((e: unknown) => log(`could not delete topics ${[...topics].join(', ')}: ${String(e)}`));
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return `KAFKA_BROKERS=${process.env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092'} npm run bench -- ${args}`;
}

function report(
  options: PipeOptions,
  machine: MachineInfo,
  brokers: readonly string[],
  results: readonly AdapterResult[],
): void {
  if (options.json) {
    for (const result of results) {
      const line = {
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
    writeResultsSection(resultsFile, 'pipe', markdown);
    log(`wrote the table to ${resultsFile}`);
  }
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
      const middle = r.runs.find((run) => run.recordsPerSec === r.recordsPerSec) ?? r.runs[0];
      return [
        r.adapter,
        formatCount(r.recordsPerSec),
        r.runs.map((run) => formatCount(run.recordsPerSec)).join(' / '),
        ms(r.latency?.latency?.p50Ms),
        ms(r.latency?.latency?.p99Ms),
        r.peakRssMb.toFixed(0),
        String(middle?.processCpuPct ?? 'n/a'),
        String(middle?.kafkaCpuPct ?? 'n/a'),
        middle === undefined ? 'n/a' : `${Math.round(middle.eventLoopUtilization * 100)}%`,
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
    '## pipe: raw consume -> produce, no engine',
    '',
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ${machine.os}; Node ${machine.node}; Kafka ${machine.brokerVersion}, one KRaft broker on the same machine, sharing its CPUs`,
    `- Command: \`${commandLine()}\``,
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

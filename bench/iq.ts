// Scenario `iq`: interactive queries under load. One app instance (its own process) holds a table of N
// keys and serves GET /stores/:store/keys/:key; autocannon in this process requests random existing keys
// for D seconds while a producer here keeps updating the table, so the app is processing as it answers.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type AdapterName, createKafkaClient, type Producer } from '../src/kafka/index.ts';
import { failCheck } from './bench-topics-support.ts';
import { selfTimeByArea, topSelfTime } from './cpu-profile-support.ts';
import { loadTable, offerUpdates, tableKey, type UpdateLoad } from './iq-load-support.ts';
import { type IqJob, type IqWorkerResult, iqStoreName } from './iq-protocol-support.ts';
import type { MachineInfo } from './machine-support.ts';
import { emitReport, percent, sectionHeader } from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { adaptersFlag, type BenchScenario, integerFlag, parseFlags, usageError } from './scenario-support.ts';
import { median, round } from './stats-support.ts';
import { runWorker } from './worker-support.ts';

// 10 connections is autocannon's own default; at 50 the same throughput queues five times as many
// requests per connection on this 2-core machine (see the notes in RESULTS.md).
const defaults = { keys: 100_000, seconds: 20, connections: 10, updateRate: 5_000, runs: 3 } as const;
const quick = { keys: 10_000, seconds: 5, connections: 10, updateRate: 1_000, runs: 1 } as const;
const targetRequestsPerSec = 10_000;
const targetP99Ms = 10;
/** The producer starts this long before the load generator and stops this long after it. */
const updateMarginSeconds = 1;
const workerFile = fileURLToPath(new URL('./iq-worker.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const usage = `Usage: npm run bench -- iq [options]

Interactive queries under load: one KafkaStreams app (its own process) loads a table of N keys
(builder.table, string keys, JSON values of about 100 bytes, over 6 partitions) and serves
GET /stores/${iqStoreName}/keys/:key; autocannon (in this process) requests random existing keys for D seconds
over C connections while a producer keeps updating random keys at a fixed rate, so the app is processing.
Every answer must be 2xx (the run fails otherwise). Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --keys N            keys in the table (default ${formatCount(defaults.keys)})
  --seconds N         load generator duration per run (default ${defaults.seconds})
  --connections N     autocannon connections (default ${defaults.connections})
  --update-rate N     updates written per second during the run; 0 writes none (default ${formatCount(defaults.updateRate)})
  --runs N            runs per adapter, each a fresh app; medians are reported (default ${defaults.runs})
  --adapters a,b      adapters to measure (default platformatic)
  --quick             a small run: ${formatCount(quick.keys)} keys, ${quick.seconds} s, ${formatCount(quick.updateRate)} updates/s, ${quick.runs} run
                      (explicit flags still win)
  --cpu-prof DIR      profile the app process while it serves (V8's sampling profiler, the --cpu-prof
                      format), write DIR/iq-*.cpuprofile and log the top self-time functions
  --json              one JSON object per adapter on stdout instead of the markdown table

With every size flag at its default (and no --quick), the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  keys: { type: 'string' },
  seconds: { type: 'string' },
  connections: { type: 'string' },
  'update-rate': { type: 'string' },
  runs: { type: 'string' },
  adapters: { type: 'string' },
  quick: { type: 'boolean' },
  'cpu-prof': { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface IqOptions {
  readonly keys: number;
  readonly seconds: number;
  readonly connections: number;
  readonly updateRate: number;
  readonly runs: number;
  readonly adapters: readonly AdapterName[];
  readonly json: boolean;
  readonly cpuProfileDir: string | undefined;
  /** Every size at its default: the run may replace the RESULTS.md section. */
  readonly fullSize: boolean;
}

function parseIqOptions(argv: readonly string[]): IqOptions {
  const flags = parseFlags(argv, flagSpec, usage);
  const base = flags.get('quick') === true ? quick : defaults;
  const cpuProfileDir = flags.get('cpu-prof');
  if (cpuProfileDir === true || cpuProfileDir === '') throw usageError('--cpu-prof needs a directory.', usage);
  const options = {
    keys: integerFlag(flags, 'keys', base.keys, usage),
    seconds: integerFlag(flags, 'seconds', base.seconds, usage, 1, 3600),
    connections: integerFlag(flags, 'connections', base.connections, usage, 1, 10_000),
    updateRate: integerFlag(flags, 'update-rate', base.updateRate, usage, 0),
    runs: integerFlag(flags, 'runs', base.runs, usage, 1, 100),
    // One instance of the default adapter unless asked: the HTTP path is the same for both clients.
    adapters: flags.has('adapters') ? adaptersFlag(flags, usage) : (['platformatic'] as const),
    json: flags.get('json') === true,
    cpuProfileDir: cpuProfileDir === undefined ? undefined : resolve(String(cpuProfileDir)),
  };
  const fullSize =
    options.keys === defaults.keys &&
    options.seconds === defaults.seconds &&
    options.connections === defaults.connections &&
    options.updateRate === defaults.updateRate &&
    options.runs === defaults.runs;
  return { ...options, fullSize };
}

function log(message: string): void {
  process.stderr.write(`[bench iq] ${message}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The app's kstreams_records_processed_total, from its /metrics (the same server, one request). */
async function processedTotal(base: string): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^kstreams_records_processed_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  return match === null ? null : Number(match[1]);
}

interface IqRunResult {
  readonly requestsPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p97_5Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Records the app processed while autocannon ran (from its /metrics), or null without metrics. */
  readonly processedDuringLoad: number | null;
  /** CPU of this process (autocannon and the update producer) during the load, percent of one core. */
  readonly loadGeneratorCpuPct: number;
  readonly updates: UpdateLoad | null;
  readonly app: IqWorkerResult;
}

/** Autocannon over random existing keys; the paths are precomputed so picking one costs nothing. */
function queryLoad(base: string, keys: number, seconds: number, connections: number): Promise<autocannon.Result> {
  const paths = Array.from(
    { length: Math.min(keys, 1_000_000) },
    (_, i) => `/stores/${iqStoreName}/keys/${tableKey(Math.floor((i / Math.min(keys, 1_000_000)) * keys))}`,
  );
  return autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: paths[Math.floor(Math.random() * paths.length)] as string }),
      },
    ],
  });
}

interface RunContext {
  readonly adapter: AdapterName;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly applicationId: string;
  readonly initialRecords: number;
  readonly producer: Producer;
}

async function runOnce(options: IqOptions, context: RunContext): Promise<IqRunResult> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const updateSeconds = options.updateRate > 0 ? options.seconds + 2 * updateMarginSeconds : 0;
  const updateRecords = Math.round(options.updateRate * updateSeconds);
  const job: IqJob = {
    adapter: context.adapter,
    brokers: context.brokers,
    tableTopic: context.topic,
    applicationId: context.applicationId,
    port,
    initialRecords: context.initialRecords,
    updateRecords,
    lingerMs: 2000,
    timeoutMs: Math.round(context.initialRecords / 2) + options.seconds * 3000 + 120_000,
    ...(options.cpuProfileDir === undefined
      ? {}
      : { cpuProfileFile: join(options.cpuProfileDir, `iq-${context.applicationId}.cpuprofile`) }),
  };
  let load:
    | { cannon: autocannon.Result; updates: UpdateLoad | null; processed: number | null; cpuPct: number }
    | undefined;
  const app = await runWorker<IqJob, IqWorkerResult>({
    file: workerFile,
    job,
    label: `${context.adapter} iq app`,
    killAfterMs: job.timeoutMs + 60_000,
    onReady: async () => {
      const updating =
        updateRecords > 0
          ? offerUpdates(context.producer, context.topic, options.keys, options.updateRate, updateSeconds)
          : null;
      if (updating !== null) await new Promise((resolve) => setTimeout(resolve, updateMarginSeconds * 1000));
      const before = await processedTotal(base);
      const cpuStart = process.cpuUsage();
      const startedAt = performance.now();
      const cannon = await queryLoad(base, options.keys, options.seconds, options.connections);
      const cpu = process.cpuUsage(cpuStart);
      const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - startedAt)) * 100);
      const after = await processedTotal(base);
      const updates = updating === null ? null : await updating;
      load = { cannon, updates, processed: before === null || after === null ? null : after - before, cpuPct };
    },
  });
  if (job.cpuProfileFile !== undefined) logProfile(job.cpuProfileFile);
  if (load === undefined) throw failCheck('the app closed before the load generator ran.');
  const { cannon } = load;
  const result: IqRunResult = {
    requestsPerSec: Math.round(cannon.requests.average),
    requests: cannon.requests.total,
    p50Ms: cannon.latency.p50,
    p97_5Ms: cannon.latency.p97_5,
    p99Ms: cannon.latency.p99,
    maxMs: cannon.latency.max,
    non2xx: cannon.non2xx,
    errors: cannon.errors,
    timeouts: cannon.timeouts,
    processedDuringLoad: load.processed,
    loadGeneratorCpuPct: load.cpuPct,
    updates: load.updates,
    app,
  };
  if (result.non2xx > 0 || result.errors > 0 || result.requests === 0) {
    throw failCheck(
      `${formatCount(result.non2xx)} non-2xx answers and ${formatCount(result.errors)} connection errors ` +
        `(${formatCount(result.timeouts)} timeouts) in ${formatCount(result.requests)} requests; every key exists, so every answer must be 200.`,
    );
  }
  return result;
}

function logProfile(file: string): void {
  log(`CPU profile of the app while serving: ${file}; self time by area:`);
  for (const { where, pct } of selfTimeByArea(file, projectRoot).slice(0, 10)) {
    log(`  ${String(pct).padStart(5)}%  ${where}`);
  }
  log('top self-time functions:');
  for (const { where, pct } of topSelfTime(file, projectRoot, 20)) log(`  ${String(pct).padStart(5)}%  ${where}`);
}

interface AdapterResult {
  readonly adapter: AdapterName;
  readonly runs: readonly IqRunResult[];
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p97_5Ms: number;
  readonly p99Ms: number;
  readonly processedDuringLoad: number | null;
}

function summarize(adapter: AdapterName, runs: readonly IqRunResult[]): AdapterResult {
  const processed = runs.map((r) => r.processedDuringLoad).filter((p): p is number => p !== null);
  return {
    adapter,
    runs,
    requestsPerSec: Math.round(median(runs.map((r) => r.requestsPerSec))),
    p50Ms: round(median(runs.map((r) => r.p50Ms)), 2),
    p97_5Ms: round(median(runs.map((r) => r.p97_5Ms)), 2),
    p99Ms: round(median(runs.map((r) => r.p99Ms)), 2),
    processedDuringLoad: processed.length === 0 ? null : Math.round(median(processed)),
  };
}

export const iqScenario: BenchScenario = { name: 'iq', usage, run: runIqScenario };

async function runIqScenario(argv: readonly string[]): Promise<void> {
  const options = parseIqOptions(argv);
  if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
  await withScenarioSession(
    { scenario: 'iq', adapters: options.adapters, log, stopping: 'the app' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      const topic = await topics.create(`bench-iq-table-${id}`);
      const producer = createKafkaClient(connection(firstAdapter), firstAdapter).producer({ lingerMs: 0 });
      const results: AdapterResult[] = [];
      try {
        log(`loading ${formatCount(options.keys)} keys into ${topic}`);
        await loadTable(producer, topic, options.keys);
        const loaded = await topics.count(topic);
        if (loaded !== options.keys)
          throw failCheck(`the table topic holds ${loaded} records, expected ${options.keys}.`);
        for (const adapter of options.adapters) {
          const runs: IqRunResult[] = [];
          for (let run = 1; run <= options.runs; run++) {
            const applicationId = topics.trackGroup(`bench-iq-${id}-${adapter}-${run}`);
            // Each run's app reads the whole topic: the keys plus the earlier runs' updates.
            const initialRecords = await topics.count(topic);
            const result = await runOnce(options, { adapter, brokers, topic, applicationId, initialRecords, producer });
            log(
              `${adapter} run ${run}/${options.runs}: ${formatCount(result.requestsPerSec)} requests/s, p50 ${result.p50Ms} ms, ` +
                `p97.5 ${result.p97_5Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, ${formatCount(result.requests)} requests, 0 non-2xx; ` +
                `app processed ${result.processedDuringLoad === null ? '?' : formatCount(result.processedDuringLoad)} records meanwhile ` +
                `(updates offered at ${formatCount(result.updates?.achievedRate ?? 0)}/s), table loaded in ${result.app.loadSeconds} s, ` +
                `app CPU ${result.app.processCpuPct}%, ELU ${result.app.eventLoopUtilization}, RSS ${result.app.peakRssMb} MB, ` +
                `load generator CPU ${result.loadGeneratorCpuPct}%`,
            );
            runs.push(result);
            await topics.dropGroup(applicationId);
          }
          results.push(summarize(adapter, runs));
        }
      } finally {
        await producer.close();
      }
      await topics.drop(topic);
      emitReport({
        scenario: 'iq',
        json: options.json,
        jsonLines: results.map((r) => ({
          scenario: 'iq',
          adapter: r.adapter,
          keys: options.keys,
          seconds: options.seconds,
          connections: options.connections,
          updateRate: options.updateRate,
          requestsPerSec: r.requestsPerSec,
          p50Ms: r.p50Ms,
          p97_5Ms: r.p97_5Ms,
          p99Ms: r.p99Ms,
          processedDuringLoad: r.processedDuringLoad,
          runs: r.runs,
        })),
        brokers,
        machine,
        markdown: renderMarkdown(options, machine, results),
        writeResults: options.fullSize && options.cpuProfileDir === undefined,
        log,
      });
    },
  );
}

function targetCell(met: boolean): string {
  return met ? '(target met)' : '(target missed)';
}

function renderMarkdown(options: IqOptions, machine: MachineInfo, results: readonly AdapterResult[]): string {
  const table = markdownTable(
    [
      'Adapter',
      'Requests/s (median)',
      'Runs',
      'p50 ms',
      'p97.5 ms',
      'p99 ms',
      'Non-2xx',
      'Records processed during load',
      'App CPU %',
      'App event loop busy',
      'Load generator CPU %',
    ],
    results.map((r) => {
      const middle = r.runs.find((run) => run.requestsPerSec === r.requestsPerSec) ?? r.runs[0];
      return [
        r.adapter,
        `${formatCount(r.requestsPerSec)} ${targetCell(r.requestsPerSec >= targetRequestsPerSec)}`,
        r.runs.map((run) => formatCount(run.requestsPerSec)).join(' / '),
        String(r.p50Ms),
        String(r.p97_5Ms),
        `${r.p99Ms} ${targetCell(r.p99Ms < targetP99Ms)}`,
        '0',
        r.processedDuringLoad === null ? 'n/a' : formatCount(r.processedDuringLoad),
        String(middle?.app.processCpuPct ?? 'n/a'),
        middle === undefined ? 'n/a' : percent(middle.app.eventLoopUtilization),
        String(middle?.loadGeneratorCpuPct ?? 'n/a'),
      ];
    }),
  );
  return [
    ...sectionHeader('## iq: interactive queries over HTTP while the app processes', machine),
    `- App: one instance, \`builder.table(topic, { keySerde: Serdes.string(), valueSerde: Serdes.json() }, { storeName: '${iqStoreName}' })\` served by \`serveInteractiveQueries(app)\`, in its own process with a fresh application.id and state dir per run; the table topic has 6 partitions and ${formatCount(options.keys)} keys (about 100-byte JSON values). The run starts once the app has processed the whole topic.`,
    `- Load: autocannon in the parent process, ${options.connections} connections, ${options.seconds} s per run, GET /stores/${iqStoreName}/keys/<random existing key>; latencies are autocannon's (ms resolution). Meanwhile a producer in the parent updates random keys at ${formatCount(options.updateRate)} records/s (from ${updateMarginSeconds} s before to ${updateMarginSeconds} s after the load). Every answer must be 2xx; the run fails otherwise.`,
    `- ${options.runs} run(s) per adapter; medians are reported. Targets: at least ${formatCount(targetRequestsPerSec)} requests/s with p99 under ${targetP99Ms} ms. "Records processed during load": the app's kstreams_records_processed_total over the autocannon window; App CPU and event-loop columns are the app process's, from the table loaded to its close; the load generator's CPU is the parent's (autocannon and the producer) during the load; all for the median run (percent of one core). The app, the load generator and the broker share the machine's CPUs.`,
    '',
    table,
  ].join('\n');
}

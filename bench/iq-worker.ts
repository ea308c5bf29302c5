// Child process of the iq scenario: one KafkaStreams app holding the table, with its HTTP server, so the
// load generator (autocannon, in the parent) does not share its event loop. Started with an IqJob as JSON
// in argv; reports `ready` once the table is loaded, then serves until it has processed the run's updates.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamsBuilder } from '../src/dsl/index.ts';
import { serveInteractiveQueries } from '../src/http/index.ts';
import { KafkaStreams, type Logger } from '../src/runtime/index.ts';
import { Serdes } from '../src/serdes/index.ts';
import { type IqJob, type IqWorkerResult, iqStoreName } from './iq-protocol-support.ts';
import { describeError } from './scenario-support.ts';
import { round } from './stats-support.ts';
import { jobFromArgv, reportToParent } from './worker-support.ts';

/** Warnings and errors only: the runtime's info lines would interleave with the benchmark's log. */
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`[engine warn] ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`[engine error] ${message} ${JSON.stringify(fields ?? {})}\n`),
};

/** V8's sampling profiler (the --cpu-prof format) over the serving window only, without start-up and shutdown. */
async function startProfiler(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Resolves once the app has processed `records` records, polling its counters; fails on timeout or app failure. */
async function processedAtLeast(app: KafkaStreams, records: number, deadline: number, failed: () => unknown) {
  while (app.counters().recordsProcessed < records) {
    const failure = failed();
    if (failure !== undefined) throw failure;
    if (performance.now() > deadline) {
      throw new Error(`processed only ${app.counters().recordsProcessed} of ${records} records in time`);
    }
    await sleep(50);
  }
}

async function serveTable(job: IqJob): Promise<IqWorkerResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-iq-'));
  const builder = new StreamsBuilder();
  builder.table(job.tableTopic, { keySerde: Serdes.string(), valueSerde: Serdes.json() }, { storeName: iqStoreName });
  const app = new KafkaStreams(builder.build(), {
    applicationId: job.applicationId,
    bootstrapServers: [...job.brokers],
    clientAdapter: job.adapter,
    applicationServer: `127.0.0.1:${job.port}`,
    stateDir,
    commitIntervalMs: 1000,
    logger: quietLogger,
  });
  let failure: unknown;
  app.onUncaughtError((error) => {
    failure ??= error;
  });
  app.onStateChange((state) => {
    if (state === 'ERROR' || state === 'PENDING_ERROR') failure ??= new Error(`the app went to ${state}`);
  });
  const deadline = performance.now() + job.timeoutMs;
  try {
    await serveInteractiveQueries(app);
    const started = performance.now();
    await app.start();
    await processedAtLeast(app, job.initialRecords, deadline, () => failure);
    const loadSeconds = (performance.now() - started) / 1000;
    const processedAtReady = app.counters().recordsProcessed;
    const stopProfiler = job.cpuProfileFile === undefined ? undefined : await startProfiler();
    await reportToParent<IqWorkerResult>({ type: 'ready' });
    const cpuStart = process.cpuUsage();
    const loopStart = performance.eventLoopUtilization();
    const readyAt = performance.now();
    await processedAtLeast(app, job.initialRecords + job.updateRecords, deadline, () => failure);
    await sleep(job.lingerMs);
    await stopProfiler?.(job.cpuProfileFile as string);
    const cpu = process.cpuUsage(cpuStart);
    const loop = performance.eventLoopUtilization(loopStart);
    const seconds = (performance.now() - readyAt) / 1000;
    const processedAfterReady = app.counters().recordsProcessed - processedAtReady;
    if (!(await app.close({ timeoutMs: 30_000 }))) throw new Error('the app did not close cleanly');
    return {
      loadSeconds: round(loadSeconds, 2),
      processedAfterReady,
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      eventLoopUtilization: round(loop.utilization, 2),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  } finally {
    await app.close({ timeoutMs: 10_000 }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const job = jobFromArgv<IqJob>('iq');
try {
  const result = await serveTable(job);
  await reportToParent<IqWorkerResult>({ type: 'result', result });
  process.exit(0);
} catch (error) {
  await reportToParent<IqWorkerResult>({ type: 'failed', message: describeError(error) });
  process.exit(1);
}

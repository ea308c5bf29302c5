// Child process of the stateless scenario: one KafkaStreams app (filter -> mapValues -> to) with one
// adapter, so its peak RSS is its own. Started by stateless.ts with a StatelessJob as JSON in argv;
// answers with WorkerMessages (worker-support.ts) over IPC.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createKafkaClient } from '../src/kafka/index.ts';
import { KafkaStreams, type Logger } from '../src/runtime/index.ts';
import { brokerPids, cpuShareBetween, sampleCpu } from './machine-support.ts';
import { measuredClient } from './measured-client-support.ts';
import { readSentAt } from './pipe-load-support.ts';
import { describeError } from './scenario-support.ts';
import type { EngineRunResult, StatelessJob } from './stateless-protocol-support.ts';
import { statelessTopology } from './stateless-topology-support.ts';
import { round, summarizeLatencies } from './stats-support.ts';
import { jobFromArgv, reportToParent } from './worker-support.ts';

/** Warnings and errors only: the runtime's info lines would interleave with the benchmark's log. */
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`[engine warn] ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`[engine error] ${message} ${JSON.stringify(fields ?? {})}\n`),
};

/**
 * Profiles the processing window only (V8's sampling profiler, as node --cpu-prof uses, without the
 * start-up and shutdown), so the self times are the steady state's.
 */
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

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function runEngineOnce(job: StatelessJob): Promise<EngineRunResult> {
  const latencies: number[] = [];
  let outputRecords = 0;
  let commits = 0;
  let lastCommitAt = 0;
  const client = measuredClient(createKafkaClient({ brokers: job.brokers, clientId: job.applicationId }, job.adapter), {
    committed: (at) => {
      commits++;
      lastCommitAt = at;
    },
    acknowledged: (records, ackedAt) => {
      outputRecords += records.length;
      if (!job.measureLatency) return;
      for (const record of records) {
        const stamp = readSentAt(record);
        if (stamp !== undefined && stamp.sequence >= job.warmupRecords) latencies.push(ackedAt - stamp.sentAt);
      }
    },
  });

  const running = deferred();
  const allSeen = deferred();
  let seen = 0;
  const topology = statelessTopology(job.inputTopic, job.outputTopic, () => {
    // Resolved after this batch: close() stops the loop at the batch boundary and commits.
    if (++seen === job.inputRecords) allSeen.resolve();
  });
  const app = new KafkaStreams(
    topology,
    {
      applicationId: job.applicationId,
      bootstrapServers: [...job.brokers],
      clientAdapter: job.adapter,
      commitIntervalMs: job.settings.commitIntervalMs,
      maxPollRecords: job.settings.maxPollRecords,
      bufferedRecordsPerPartition: job.settings.bufferedRecordsPerPartition,
      fetchMaxBytes: job.settings.fetchMaxBytes,
      lingerMs: job.settings.lingerMs,
      logger: quietLogger,
    },
    { client },
  );
  app.onStateChange((state) => {
    if (state === 'RUNNING') running.resolve();
    if (state === 'ERROR' || state === 'PENDING_ERROR') {
      const failure = new Error(`the app went to ${state}`);
      running.reject(failure);
      allSeen.reject(failure);
    }
  });
  app.onUncaughtError((error) => {
    running.reject(error);
    allSeen.reject(error);
  });
  const timeout = setTimeout(
    () => allSeen.reject(new Error(`only ${seen} of ${job.inputRecords} input records within ${job.timeoutMs} ms`)),
    job.timeoutMs,
  );
  try {
    await app.start();
    await running.promise;
    await reportToParent<EngineRunResult>({ type: 'ready' });
    const cpuStart = process.cpuUsage();
    const loopStart = performance.eventLoopUtilization();
    const kafkaPids = brokerPids(job.brokers);
    const machineStart = sampleCpu(kafkaPids);
    const stopProfiler = job.cpuProfileFile === undefined ? undefined : await startProfiler();
    const start = performance.now();
    await allSeen.promise;
    await stopProfiler?.(job.cpuProfileFile as string);
    const machineEnd = sampleCpu(kafkaPids);
    const cpu = process.cpuUsage(cpuStart);
    const loop = performance.eventLoopUtilization(loopStart);
    if (!(await app.close({ timeoutMs: 60_000 }))) throw new Error('the app did not close cleanly (no final commit)');
    const seconds = (lastCommitAt - start) / 1000;
    const cpuSeconds = (machineEnd === undefined ? performance.now() - start : machineEnd.at - start) / 1000;
    const machine = cpuShareBetween(machineStart, machineEnd, kafkaPids.length > 0);
    return {
      inputRecords: seen,
      outputRecords,
      seconds: round(seconds, 3),
      recordsPerSec: Math.round(seen / seconds),
      commits,
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / cpuSeconds) * 100),
      eventLoopUtilization: round(loop.utilization, 2),
      kafkaCpuPct: machine?.kafkaPct ?? null,
      machineCpuPct: machine?.machinePct ?? null,
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
      latency: summarizeLatencies(latencies),
    };
  } finally {
    clearTimeout(timeout);
    await app.close({ timeoutMs: 10_000 }).catch(() => undefined);
  }
}

const job = jobFromArgv<StatelessJob>('stateless');
try {
  const result = await runEngineOnce(job);
  await reportToParent<EngineRunResult>({ type: 'result', result });
  process.exit(0);
} catch (error) {
  await reportToParent<EngineRunResult>({ type: 'failed', message: describeError(error) });
  process.exit(1);
}

// Child process of the pipe scenario: one pipe run with one adapter, so its peak RSS is its own.
// Started by pipe.ts with a PipeJob as JSON in argv; answers with WorkerMessages (worker-support.ts) over IPC.
import { createKafkaClient } from '../src/kafka/index.ts';
import { brokerPids, cpuShareBetween, sampleCpu } from './machine-support.ts';
import { readSentAt } from './pipe-load-support.ts';
import { runPipe } from './pipe-loop-support.ts';
import type { PipeJob, PipeRunResult } from './pipe-protocol-support.ts';
import { describeError } from './scenario-support.ts';
import { round, summarizeLatencies } from './stats-support.ts';
import { jobFromArgv, reportToParent } from './worker-support.ts';

async function pipeOnce(job: PipeJob): Promise<PipeRunResult> {
  const client = createKafkaClient({ brokers: job.brokers, clientId: `bench-pipe-${job.adapter}` }, job.adapter);
  const consumer = client.groupConsumer({
    groupId: job.groupId,
    topics: [job.inputTopic],
    offsetReset: 'earliest',
    maxBytes: job.settings.fetchMaxBytes,
  });
  const producer = client.producer({ lingerMs: job.settings.lingerMs });
  try {
    await consumer.connect();
    await reportToParent<PipeRunResult>({ type: 'ready' });
    const latencies: number[] = [];
    const cpuStart = process.cpuUsage();
    const loopStart = performance.eventLoopUtilization();
    const kafkaPids = brokerPids(job.brokers);
    const machineStart = sampleCpu(kafkaPids);
    const start = performance.now();
    const stats = await runPipe({
      consumer,
      producer,
      inputTopic: job.inputTopic,
      outputTopic: job.outputTopic,
      settings: job.settings,
      target: job.target,
      timeoutMs: job.timeoutMs,
      onAcknowledged:
        job.target.kind === 'count'
          ? (records, ackedAt) => {
              for (const record of records) {
                const stamp = readSentAt(record);
                if (stamp !== undefined && stamp.sequence >= job.warmupRecords) latencies.push(ackedAt - stamp.sentAt);
              }
            }
          : undefined,
    });
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const loop = performance.eventLoopUtilization(loopStart);
    const machine = cpuShareBetween(machineStart, sampleCpu(kafkaPids), kafkaPids.length > 0);
    return {
      records: stats.records,
      seconds: round(seconds, 3),
      recordsPerSec: Math.round(stats.records / seconds),
      polls: stats.polls,
      meanPollRecords: Math.round(stats.records / Math.max(1, stats.polls)),
      commits: stats.commits,
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      eventLoopUtilization: round(loop.utilization, 2),
      kafkaCpuPct: machine?.kafkaPct ?? null,
      machineCpuPct: machine?.machinePct ?? null,
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
      latency: summarizeLatencies(latencies),
    };
  } finally {
    await consumer.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
  }
}

const job = jobFromArgv<PipeJob>('pipe');
try {
  const result = await pipeOnce(job);
  await reportToParent<PipeRunResult>({ type: 'result', result });
  process.exit(0);
} catch (error) {
  await reportToParent<PipeRunResult>({ type: 'failed', message: describeError(error) });
  process.exit(1);
}

// Child process of the stateful and restore scenarios: one count app run, one restoration or one raw
// changelog read, with one adapter, so its peak RSS is its own. Started with a StatefulJob as JSON in argv;
// answers with WorkerMessages (worker-support.ts) over IPC.
import { StreamsBuilder } from '../src/dsl/index.ts';
import { type AssignedConsumer, createKafkaClient, type KafkaClient, RecordBatchCursor } from '../src/kafka/index.ts';
import type { Topology } from '../src/processor/index.ts';
import { KafkaStreams, type Logger } from '../src/runtime/index.ts';
import { Serdes } from '../src/serdes/index.ts';
import { expectedCount, keyedKey } from './keyed-load-support.ts';
import { measuredClient } from './measured-client-support.ts';
import { sampleRss } from './rss-sampler-support.ts';
import { describeError } from './scenario-support.ts';
import {
  type ConsumeJob,
  type CountJob,
  changelogTopic,
  countStoreName,
  type RestoreJob,
  type StatefulJob,
  type StatefulRunResult,
} from './stateful-protocol-support.ts';
import { round } from './stats-support.ts';
import { jobFromArgv, reportToParent } from './worker-support.ts';

/** Warnings and errors, plus the restore summaries the restore job counts. */
function benchLogger(restored: Readonly<Record<string, unknown>>[]): Logger {
  return {
    debug: () => undefined,
    info: (message, fields) => {
      if (message === 'Restored state stores.' && fields !== undefined) restored.push(fields);
    },
    warn: (message, fields) => process.stderr.write(`[engine warn] ${message} ${JSON.stringify(fields ?? {})}\n`),
    error: (message, fields) => process.stderr.write(`[engine error] ${message} ${JSON.stringify(fields ?? {})}\n`),
  };
}

/** `stream(input).peek(onInput).groupByKey().count()`: the DSL default store (persistent, logged, cached). */
function countTopology(input: string, onInput: () => void): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.string(), valueSerde: Serdes.bytes() })
    .peek(() => onInput())
    .groupByKey()
    .count({ storeName: countStoreName, valueSerde: Serdes.long() });
  return builder.build();
}

interface Waiter {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function startApp(
  job: CountJob | RestoreJob,
  client: KafkaClient,
  topology: Topology,
  logger: Logger,
  failures: readonly Waiter[],
): KafkaStreams {
  const app = new KafkaStreams(
    topology,
    {
      applicationId: job.applicationId,
      bootstrapServers: [...job.brokers],
      clientAdapter: job.adapter,
      stateDir: job.stateDir,
      commitIntervalMs: job.settings.commitIntervalMs,
      maxPollRecords: job.settings.maxPollRecords,
      bufferedRecordsPerPartition: job.settings.bufferedRecordsPerPartition,
      fetchMaxBytes: job.settings.fetchMaxBytes,
      lingerMs: job.settings.lingerMs,
      logger,
    },
    { client },
  );
  const fail = (error: unknown) => {
    for (const w of failures) w.reject(error);
  };
  app.onStateChange((state) => {
    if (state === 'ERROR' || state === 'PENDING_ERROR') fail(new Error(`the app went to ${state}`));
  });
  app.onUncaughtError(fail);
  return app;
}

function withTimeout(waiters: readonly Waiter[], ms: number, what: () => string): NodeJS.Timeout {
  return setTimeout(() => {
    for (const w of waiters) w.reject(new Error(`${what()} within ${ms} ms`));
  }, ms);
}

async function runCount(job: CountJob): Promise<StatefulRunResult> {
  let lastCommitAt = 0;
  const client = measuredClient(createKafkaClient({ brokers: job.brokers, clientId: job.applicationId }, job.adapter), {
    committed: (at) => {
      lastCommitAt = at;
    },
  });
  const running = waiter();
  const allSeen = waiter();
  let seen = 0;
  const topology = countTopology(job.inputTopic, () => {
    if (++seen === job.inputRecords) allSeen.resolve();
  });
  const app = startApp(job, client, topology, benchLogger([]), [running, allSeen]);
  app.onStateChange((state) => {
    if (state === 'RUNNING') running.resolve();
  });
  const timeout = withTimeout(
    [running, allSeen],
    job.timeoutMs,
    () => `only ${seen} of ${job.inputRecords} input records`,
  );
  try {
    await app.start();
    await running.promise;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await allSeen.promise;
    // The final commit flushes the caches into the changelog: the end of the measured window.
    if (!(await app.close({ timeoutMs: 60_000 }))) throw new Error('the app did not close cleanly (no final commit)');
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (lastCommitAt - start) / 1000;
    const peakRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
    const peakRssSplit = rss.stop();
    const keysChecked = await checkCounts(client, job);
    return {
      records: seen,
      seconds: round(seconds, 3),
      recordsPerSec: Math.round(seen / seconds),
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      peakRssMb,
      peakRssSplit,
      keysChecked,
      restoreElapsedMs: null,
    };
  } finally {
    clearTimeout(timeout);
    await app.close({ timeoutMs: 10_000 }).catch(() => undefined);
  }
}

/** Every key's last changelog value must be its number of input records; returns the keys checked. */
async function checkCounts(client: KafkaClient, job: CountJob): Promise<number> {
  const last = new Map<string, number>();
  const long = Serdes.long();
  const topic = changelogTopic(job.applicationId);
  await readToEnd(client, topic, 6, (key, value) => {
    last.set(key.toString(), value === null ? 0 : (long.deserialize(topic, value) ?? 0));
  });
  const keys = Math.min(job.distinctKeys, job.inputRecords);
  if (last.size !== keys) throw new Error(`the changelog holds ${last.size} keys, the input ${keys}`);
  for (let index = 0; index < keys; index++) {
    const key = keyedKey(index, job.distinctKeys);
    const expected = expectedCount(index, job.inputRecords, job.distinctKeys);
    if (last.get(key) !== expected) throw new Error(`key ${key} counted ${last.get(key)}, its input has ${expected}`);
  }
  return keys;
}

/** Reads every partition of `topic` from offset 0 to its end offset; resolves with the records read. */
async function readToEnd(
  client: KafkaClient,
  topic: string,
  partitions: number,
  onRecord: (key: Buffer, value: Buffer | null) => void,
  fetchMaxBytes?: number,
): Promise<number> {
  return withAssigned(client, topic, partitions, fetchMaxBytes, async (consumer, ends, open) => {
    let read = 0;
    while (open.size > 0) {
      for (const record of await consumer.poll({ maxRecords: 10_000, timeoutMs: 500 })) {
        read++;
        if (record.key !== null) onRecord(record.key, record.value);
        if (record.offset + 1 >= (ends.get(record.partition) ?? 0)) open.delete(record.partition);
      }
    }
    return read;
  });
}

/** As `readToEnd`, reading the fetched record batches in place as restoration does; `onRecord` gets sizes. */
async function readBatchesToEnd(
  client: KafkaClient,
  topic: string,
  partitions: number,
  onRecord: (keyLength: number, valueLength: number) => void,
  fetchMaxBytes?: number,
): Promise<number> {
  return withAssigned(client, topic, partitions, fetchMaxBytes, async (consumer, ends, open) => {
    let read = 0;
    while (open.size > 0) {
      const fetched = await consumer.pollBatches?.({ timeoutMs: 500 });
      if (fetched === undefined) throw new Error('this adapter cannot fetch record batches undecoded');
      for (const partition of fetched) {
        const end = ends.get(partition.partition) ?? 0;
        const cursor = new RecordBatchCursor(partition);
        while (cursor.next()) {
          if (cursor.offset >= end) continue;
          read++;
          if (cursor.keyLength >= 0) onRecord(cursor.keyLength, cursor.valueLength);
          if (cursor.offset + 1 >= end) open.delete(partition.partition);
        }
      }
    }
    return read;
  });
}

async function withAssigned(
  client: KafkaClient,
  topic: string,
  partitions: number,
  fetchMaxBytes: number | undefined,
  read: (consumer: AssignedConsumer, ends: ReadonlyMap<number, number>, open: Set<number>) => Promise<number>,
): Promise<number> {
  const consumer = client.assignedConsumer(fetchMaxBytes === undefined ? {} : { maxBytes: fetchMaxBytes });
  try {
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const ends = new Map((await consumer.endOffsets(tps)).map((end) => [end.partition, end.offset]));
    const open = new Set(tps.filter((tp) => (ends.get(tp.partition) ?? 0) > 0).map((tp) => tp.partition));
    await consumer.assign(tps.map((tp) => ({ ...tp, offset: 0 })));
    return await read(consumer, ends, open);
  } finally {
    await consumer.close();
  }
}

async function runRestore(job: RestoreJob): Promise<StatefulRunResult> {
  const restored: Readonly<Record<string, unknown>>[] = [];
  const client = createKafkaClient({ brokers: job.brokers, clientId: job.applicationId }, job.adapter);
  const running = waiter();
  const app = startApp(
    job,
    client,
    countTopology(job.inputTopic, () => undefined),
    benchLogger(restored),
    [running],
  );
  app.onStateChange((state) => {
    if (state === 'RUNNING') running.resolve();
  });
  const timeout = withTimeout([running], job.timeoutMs, () => 'the app did not reach RUNNING');
  try {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await app.start();
    await running.promise;
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const records = restored.reduce((sum, fields) => sum + Number(fields.restored ?? 0), 0);
    return {
      records,
      seconds: round(seconds, 3),
      recordsPerSec: Math.round(records / seconds),
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
      peakRssSplit: rss.stop(),
      keysChecked: 0,
      // Tasks restore together, each line timed from the joint start: the longest is the restoration.
      restoreElapsedMs: restored.reduce((longest, fields) => Math.max(longest, Number(fields.elapsedMs ?? 0)), 0),
    };
  } finally {
    clearTimeout(timeout);
    await app.close({ timeoutMs: 30_000 }).catch(() => undefined);
  }
}

async function runConsume(job: ConsumeJob): Promise<StatefulRunResult> {
  const client = createKafkaClient({ brokers: job.brokers, clientId: `bench-consume-${job.adapter}` }, job.adapter);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let bytes = 0;
  // Touch each record as a restore would, so the read cannot be optimised away.
  const records =
    job.undecoded === true
      ? await readBatchesToEnd(
          client,
          job.topic,
          job.partitions,
          (keyLength, valueLength) => {
            bytes += keyLength + Math.max(valueLength, 0);
          },
          job.fetchMaxBytes,
        )
      : await readToEnd(
          client,
          job.topic,
          job.partitions,
          (key, value) => {
            bytes += key.length + (value?.length ?? 0);
          },
          job.fetchMaxBytes,
        );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  if (bytes === 0 && records > 0) throw new Error('read records without bytes');
  return {
    records,
    seconds: round(seconds, 3),
    recordsPerSec: Math.round(records / seconds),
    processCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    peakRssSplit: rss.stop(),
    keysChecked: 0,
    restoreElapsedMs: null,
  };
}

// Sampled from the start of the job to the point where each job reads its maxRSS (before any check).
const rss = sampleRss();

function runJob(job: StatefulJob): Promise<StatefulRunResult> {
  if (job.mode === 'count') return runCount(job);
  if (job.mode === 'restore') return runRestore(job);
  return runConsume(job);
}

const job = jobFromArgv<StatefulJob>('stateful');
try {
  const result = await runJob(job);
  await reportToParent<StatefulRunResult>({ type: 'result', result });
  process.exit(0);
} catch (error) {
  await reportToParent<StatefulRunResult>({ type: 'failed', message: describeError(error) });
  process.exit(1);
}

import { KStreamsError } from '../src/errors.ts';
import type { ConsumedRecord, GroupConsumer, Producer, ProducerRecord } from '../src/kafka/index.ts';
import type { PipeSettings, PipeTarget } from './pipe-protocol-support.ts';

export interface PipeLoopOptions {
  readonly consumer: GroupConsumer;
  readonly producer: Producer;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly settings: PipeSettings;
  readonly target: PipeTarget;
  readonly timeoutMs: number;
  /** Called with each batch once the broker acknowledged its output, with the time it was seen. */
  readonly onAcknowledged?: (records: readonly ConsumedRecord[], ackedAt: number) => void;
}

export interface PipeLoopStats {
  readonly records: number;
  readonly polls: number;
  readonly commits: number;
}

/** One produce call and the input positions it covers. */
interface PendingBatch {
  readonly records: readonly ConsumedRecord[];
  /** Input partition -> next offset to read once this batch is acknowledged. */
  readonly nextOffsets: Map<number, number>;
  /** Never rejects: the outcome is kept in `failure`, so a failure while queued is not an unhandled rejection. */
  readonly settled: Promise<void>;
  done: boolean;
  failure: unknown;
  ackedAt: number;
}

/**
 * Consumes the input and produces every record (same key, value, headers, timestamp) to the output, until
 * the target is reached. Polls are bounded; up to `inFlight` produce calls wait for acknowledgement at
 * once; offsets are committed (offset + 1) only for batches acknowledged in poll order, so a committed
 * offset never runs ahead of its output.
 */
export async function runPipe(options: PipeLoopOptions): Promise<PipeLoopStats> {
  const { consumer, producer, inputTopic, outputTopic, settings, target, onAcknowledged } = options;
  const deadline = performance.now() + options.timeoutMs;
  const window: PendingBatch[] = [];
  const acknowledged = new Map<number, number>();
  let acknowledgedSinceCommit = false;
  let lastCommitAt = performance.now();
  let commitInFlight: Promise<void> | undefined;
  let commitFailure: unknown;
  let consumed = 0;
  let piped = 0;
  let polls = 0;
  let commits = 0;

  const remaining = new Map<number, number>();
  if (target.kind === 'offsets') {
    for (const end of target.ends) if (end.offset > 0) remaining.set(end.partition, end.offset);
  }
  const complete = () => (target.kind === 'offsets' ? remaining.size === 0 : consumed >= target.records);

  function retire(batch: PendingBatch): void {
    if (batch.failure !== undefined) {
      throw new KStreamsError('KAFKA_PRODUCE_FAILED', 'The pipe could not produce a batch to the output topic.', {
        hint: 'See the cause; check that the broker is healthy.',
        cause: batch.failure,
      });
    }
    for (const [partition, offset] of batch.nextOffsets) acknowledged.set(partition, offset);
    acknowledgedSinceCommit = true;
    piped += batch.records.length;
    onAcknowledged?.(batch.records, batch.ackedAt);
  }

  function commitOffsets(): Promise<void> {
    acknowledgedSinceCommit = false;
    lastCommitAt = performance.now();
    const offsets = [...acknowledged].map(([partition, offset]) => ({ topic: inputTopic, partition, offset }));
    return consumer.commit(offsets).then(() => {
      commits++;
    });
  }

  function throwIfCommitFailed(): void {
    if (commitFailure === undefined) return;
    throw new KStreamsError('KAFKA_COMMIT_FAILED', 'The pipe could not commit its offsets.', {
      hint: 'See the cause; check that the broker is healthy.',
      cause: commitFailure,
    });
  }

  // Commits run in the background (one at a time) so the pipe keeps flowing while the broker answers.
  function maybeCommit(): void {
    throwIfCommitFailed();
    if (commitInFlight !== undefined || !acknowledgedSinceCommit) return;
    if (performance.now() - lastCommitAt < settings.commitIntervalMs) return;
    commitInFlight = commitOffsets().then(
      () => {
        commitInFlight = undefined;
      },
      (error: unknown) => {
        commitFailure = error;
        commitInFlight = undefined;
      },
    );
  }

  while (!complete()) {
    if (performance.now() > deadline) {
      throw new KStreamsError(
        'KAFKA_CONSUME_FAILED',
        `The pipe did not finish within ${options.timeoutMs} ms (consumed ${consumed} records).`,
        { hint: 'The adapter may be stuck; run with fewer --records to investigate.' },
      );
    }
    const records = await consumer.poll({ maxRecords: settings.pollRecords, timeoutMs: 200 });
    polls++;
    if (records.length > 0) {
      consumed += records.length;
      const nextOffsets = new Map<number, number>();
      const outgoing = new Array<ProducerRecord>(records.length);
      for (let i = 0; i < records.length; i++) {
        const record = records[i] as ConsumedRecord;
        outgoing[i] = {
          topic: outputTopic,
          key: record.key,
          value: record.value,
          headers: record.headers,
          timestamp: record.timestamp,
        };
        nextOffsets.set(record.partition, record.offset + 1);
      }
      if (target.kind === 'offsets') {
        for (const [partition, next] of nextOffsets) {
          if (next >= (remaining.get(partition) ?? Number.POSITIVE_INFINITY)) remaining.delete(partition);
        }
      }
      const batch: PendingBatch = {
        records,
        nextOffsets,
        done: false,
        failure: undefined,
        ackedAt: 0,
        settled: producer.send(outgoing).then(
          () => {
            batch.ackedAt = performance.timeOrigin + performance.now();
            batch.done = true;
          },
          (error: unknown) => {
            batch.failure = error ?? new Error('send rejected');
            batch.done = true;
          },
        ),
      };
      window.push(batch);
    }
    while (window.length >= settings.inFlight) {
      const oldest = window.shift() as PendingBatch;
      await oldest.settled;
      retire(oldest);
    }
    while (window[0]?.done) retire(window.shift() as PendingBatch);
    maybeCommit();
  }

  for (const batch of window.splice(0)) {
    await batch.settled;
    retire(batch);
  }
  await commitInFlight;
  throwIfCommitFailed();
  if (acknowledgedSinceCommit) await commitOffsets();
  return { records: piped, polls, commits };
}

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KStreamsError } from '../src/errors.ts';
import type { Header, Producer, ProducerRecord } from '../src/kafka/index.ts';

export const keyBytes = 20;
export const valueBytes = 200;
/** Header on latency records: the send time (epoch ms, sub-ms precision) and the record's sequence number. */
export const sentAtHeader = 'bench-sent-at';

const valueTemplate = randomBytes(valueBytes);

function benchRecord(topic: string, sequence: number, prefix: string): ProducerRecord {
  const value = Buffer.allocUnsafe(valueBytes);
  valueTemplate.copy(value);
  value.writeUInt32BE(sequence, 0);
  return { topic, key: Buffer.from(`${prefix}${String(sequence).padStart(keyBytes - prefix.length, '0')}`), value };
}

function sendFailure(what: string, cause: unknown): KStreamsError {
  return new KStreamsError('KAFKA_PRODUCE_FAILED', `Could not write the ${what}.`, {
    hint: 'See the cause; check that the broker is healthy and has disk space.',
    cause,
  });
}

/** Writes `count` keyed records in large batches with several sends in flight; resolves when all are acknowledged. */
export async function loadInput(
  producer: Producer,
  topic: string,
  count: number,
  onProgress: (written: number) => void,
  batchSize = 5_000,
  inFlight = 6,
): Promise<void> {
  const pending: Promise<void>[] = [];
  let failure: unknown;
  let written = 0;
  for (let start = 0; start < count && failure === undefined; start += batchSize) {
    const batch: ProducerRecord[] = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) batch.push(benchRecord(topic, i, 'k'));
    pending.push(
      producer.send(batch).then(
        () => {
          written += batch.length;
          onProgress(written);
        },
        (error: unknown) => {
          failure ??= error;
        },
      ),
    );
    if (pending.length >= inFlight) await pending.shift();
  }
  await Promise.all(pending);
  if (failure !== undefined) throw sendFailure('input', failure);
}

export interface OfferedLoad {
  readonly records: number;
  readonly seconds: number;
  readonly achievedRate: number;
}

/**
 * Writes `rate` records per second for `seconds`, in small batches every few milliseconds, each record
 * stamped (header) with the time its send was called. Sends are not awaited one by one, so a slow
 * acknowledgement does not lower the offered rate.
 */
export async function offerLoad(
  producer: Producer,
  topic: string,
  rate: number,
  seconds: number,
  tickMs = 5,
): Promise<OfferedLoad> {
  const total = Math.round(rate * seconds);
  const outstanding = new Set<Promise<void>>();
  let failure: unknown;
  let sent = 0;
  const start = performance.now();
  while (sent < total) {
    if (failure !== undefined) throw sendFailure('latency load', failure);
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    if (due > sent) {
      const sentAt = performance.timeOrigin + performance.now();
      const batch: ProducerRecord[] = [];
      for (let sequence = sent; sequence < due; sequence++) {
        const stamp = Buffer.allocUnsafe(16);
        stamp.writeDoubleBE(sentAt, 0);
        stamp.writeDoubleBE(sequence, 8);
        batch.push({ ...benchRecord(topic, sequence, 'l'), headers: [{ key: sentAtHeader, value: stamp }] });
      }
      sent = due;
      const send: Promise<void> = producer.send(batch).then(
        () => {
          outstanding.delete(send);
        },
        (error: unknown) => {
          failure = error;
          outstanding.delete(send);
        },
      );
      outstanding.add(send);
    }
    await sleep(tickMs);
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(outstanding);
  if (failure !== undefined) throw sendFailure('latency load', failure);
  return { records: sent, seconds: elapsed, achievedRate: Math.round(sent / elapsed) };
}

/** The send time and sequence number stamped by offerLoad, or undefined when the record has none. */
export function readSentAt(record: {
  readonly headers?: readonly Header[];
}): { readonly sentAt: number; readonly sequence: number } | undefined {
  const header = record.headers?.find((candidate) => candidate.key === sentAtHeader);
  if (header === undefined || header.value.length < 16) return undefined;
  return { sentAt: header.value.readDoubleBE(0), sequence: header.value.readDoubleBE(8) };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { KStreamsError } from '../src/errors.ts';
import type { Producer, ProducerRecord } from '../src/kafka/index.ts';

/** The table's key `index` (0 .. keys-1), zero-padded so every key has the same length. */
export function tableKey(index: number): string {
  return `key-${String(index).padStart(9, '0')}`;
}

/** A small JSON document (about 100 bytes), so the HTTP answer is realistic but the JSON path is not the test. */
function tableValue(index: number, version: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: index,
      version,
      status: version === 0 ? 'CREATED' : 'UPDATED',
      amount: (index % 997) + version,
    }),
  );
}

function tableRecord(topic: string, index: number, version: number): ProducerRecord {
  return { topic, key: Buffer.from(tableKey(index)), value: tableValue(index, version) };
}

function sendFailure(what: string, cause: unknown): KStreamsError {
  return new KStreamsError('KAFKA_PRODUCE_FAILED', `Could not write the ${what}.`, {
    hint: 'See the cause; check that the broker is healthy and has disk space.',
    cause,
  });
}

/** Writes one record per key 0 .. keys-1 in large batches with several sends in flight. */
export async function loadTable(producer: Producer, topic: string, keys: number): Promise<void> {
  const pending: Promise<void>[] = [];
  let failure: unknown;
  for (let start = 0; start < keys && failure === undefined; start += 5_000) {
    const batch: ProducerRecord[] = [];
    for (let index = start; index < Math.min(keys, start + 5_000); index++) batch.push(tableRecord(topic, index, 0));
    pending.push(
      producer.send(batch).then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      ),
    );
    if (pending.length >= 6) await pending.shift();
  }
  await Promise.all(pending);
  if (failure !== undefined) throw sendFailure('table', failure);
}

export interface UpdateLoad {
  readonly records: number;
  readonly seconds: number;
  readonly achievedRate: number;
}

/**
 * Writes exactly `rate * seconds` updates of random existing keys at `rate` records/s, in small batches
 * every few milliseconds; sends are not awaited one by one, so a slow acknowledgement does not lower the
 * offered rate.
 */
export async function offerUpdates(
  producer: Producer,
  topic: string,
  keys: number,
  rate: number,
  seconds: number,
  tickMs = 5,
): Promise<UpdateLoad> {
  const total = Math.round(rate * seconds);
  const outstanding = new Set<Promise<void>>();
  let failure: unknown;
  let sent = 0;
  const start = performance.now();
  while (sent < total) {
    if (failure !== undefined) throw sendFailure('updates', failure);
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    if (due > sent) {
      const batch: ProducerRecord[] = [];
      for (let version = sent + 1; version <= due; version++) {
        batch.push(tableRecord(topic, Math.floor(Math.random() * keys), version));
      }
      sent = due;
      const send: Promise<void> = producer.send(batch).then(
        () => {
          outstanding.delete(send);
        },
        (error: unknown) => {
          failure ??= error;
          outstanding.delete(send);
        },
      );
      outstanding.add(send);
    }
    await sleep(tickMs);
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(outstanding);
  if (failure !== undefined) throw sendFailure('updates', failure);
  return { records: sent, seconds: elapsed, achievedRate: Math.round(sent / elapsed) };
}

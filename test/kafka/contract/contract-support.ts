import { randomUUID } from 'node:crypto';
import type {
  AssignedConsumer,
  ConsumedRecord,
  GroupConsumer,
  Producer,
  ProducerRecord,
} from '../../../src/kafka/index.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Sends the records in one transaction of a transactional producer, then commits or aborts it. */
export async function sendInTransaction(
  producer: Producer,
  records: readonly ProducerRecord[],
  outcome: 'commit' | 'abort',
): Promise<void> {
  const transaction = await producer.beginTransaction();
  await transaction.send(records);
  await (outcome === 'commit' ? transaction.commit() : transaction.abort());
}

type Pollable = Pick<GroupConsumer | AssignedConsumer, 'poll'>;

/** Polls until `count` records arrived or the deadline passed; returns what arrived. */
export async function pollRecords(consumer: Pollable, count: number, timeoutMs = 20_000): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) {
    records.push(...(await consumer.poll({ maxRecords: 500, timeoutMs: 250 })));
  }
  return records;
}

/** Polls for a while and returns everything that arrived (for checking that nothing more comes). */
export async function pollFor(consumer: Pollable, durationMs: number): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    records.push(...(await consumer.poll({ maxRecords: 500, timeoutMs: 200 })));
  }
  return records;
}

/** Repeats `step` until `check` holds or the deadline passes. */
export async function eventually(
  step: () => Promise<unknown>,
  check: () => boolean,
  timeoutMs = 30_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await step();
    if (check()) return true;
  }
  return check();
}

export function text(buffer: Buffer | null): string | null {
  return buffer === null ? null : buffer.toString('utf8');
}

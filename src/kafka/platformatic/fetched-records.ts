import type { fetchV17 } from '@platformatic/kafka';
import type { ConsumedRecord, Header } from '../types.ts';

const isTransactional = 1 << 4;
const isControl = 1 << 5;
const logAppendTime = 1 << 3;

export interface DecodedPartition {
  readonly records: ConsumedRecord[];
  /** The offset to fetch next: past every batch in the response, control batches included. */
  readonly nextFetchOffset: number;
}

/**
 * Turns one partition of a fetch response into records from `from` on. Control batches (transaction
 * markers) are skipped, and under read_committed the batches of aborted transactions are dropped the way
 * Java's fetcher does it (the aborted-transactions list plus the abort markers), which also holds when
 * a response is cut before the marker.
 */
export function decodeFetchedPartition(
  topic: string,
  partition: number,
  response: fetchV17.FetchResponsePartition,
  from: number,
  readCommitted: boolean,
): DecodedPartition {
  const records: ConsumedRecord[] = [];
  let nextFetchOffset = from;
  const aborted = readCommitted
    ? [...(response.abortedTransactions ?? [])].sort((a, b) => Number(a.firstOffset - b.firstOffset))
    : [];
  const abortedProducers = new Set<bigint>();
  for (const batch of response.records ?? []) {
    const firstOffset = Number(batch.firstOffset);
    const lastOffset = firstOffset + batch.lastOffsetDelta;
    nextFetchOffset = Math.max(nextFetchOffset, lastOffset + 1);
    if (lastOffset < from) continue;
    while (aborted.length > 0 && Number(aborted[0]!.firstOffset) <= lastOffset) {
      abortedProducers.add(aborted.shift()!.producerId);
    }
    if (batch.attributes & isControl) {
      const markerType = batch.records[0]?.key?.readInt16BE(2);
      if (markerType === 0) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (readCommitted && batch.attributes & isTransactional && abortedProducers.has(batch.producerId)) continue;
    const appendTime = (batch.attributes & logAppendTime) !== 0;
    for (const record of batch.records) {
      const offset = firstOffset + record.offsetDelta;
      if (offset < from) continue;
      records.push({
        topic,
        partition,
        offset,
        key: record.key,
        value: record.value,
        headers: record.headers.map(toHeader),
        timestamp: Number(appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
      });
    }
  }
  return { records, nextFetchOffset };
}

const emptyValue = Buffer.alloc(0);

function toHeader([key, value]: [Buffer | null, Buffer | null]): Header {
  return { key: headerKey(key), value: value ?? emptyValue };
}

// Records of a topic mostly repeat the same header keys: comparing bytes costs less than decoding a new
// string per record (a changelog restore reads one header per record).
let lastKeyBytes = Buffer.alloc(0);
let lastKey = '';

function headerKey(key: Buffer | null): string {
  if (key === null) return '';
  if (key.length !== lastKeyBytes.length || !key.equals(lastKeyBytes)) {
    lastKey = key.toString('utf8');
    // A copy: holding the fetched bytes would keep the whole fetch response alive.
    lastKeyBytes = Buffer.from(key);
  }
  return lastKey;
}

import { recordBatchOverhead, recordSizeUpperBound } from '../record-size.ts';
import type { ProducerRecord } from '../types.ts';

export interface SendChunkLimits {
  /** kafkajs groups a send's messages per partition in quadratic time, so chunks stay small in count too. */
  readonly records: number;
  /** Upper bound on a chunk's record bytes (all partitions together), batch header included. */
  readonly bytes: number;
}

/**
 * Cuts a send into consecutive chunks that each go out as one kafkajs sendBatch, in order. kafkajs writes
 * each partition's messages of a sendBatch as one record batch, so a chunk under `bytes` keeps every batch
 * under the broker's max.message.bytes; a record larger than `bytes` goes alone.
 */
export function sendChunks(records: readonly ProducerRecord[], limits: SendChunkLimits): ProducerRecord[][] {
  const chunks: ProducerRecord[][] = [];
  let start = 0;
  let bytes = recordBatchOverhead;
  records.forEach((record, index) => {
    const size = recordSizeUpperBound(record);
    if (index > start && (index - start >= limits.records || bytes + size > limits.bytes)) {
      chunks.push(records.slice(start, index));
      start = index;
      bytes = recordBatchOverhead;
    }
    bytes += size;
  });
  if (start < records.length) chunks.push(records.slice(start));
  return chunks;
}

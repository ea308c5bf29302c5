import { KStreamsError } from '../../errors.ts';
import { errorTree } from './error-mapping.ts';
import type { PartitionBatch } from './produce-queue.ts';

/** The broker's errors for a record batch above max.message.bytes. */
export const tooLargeErrorIds = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'] as const;
const tooLargeErrorCodes = new Set([10, 18]);

/** The broker's default message.max.bytes, which a topic's max.message.bytes defaults to. */
export const defaultMaxMessageBytes = 1_048_588;

interface ProduceResponse {
  readonly responses?: readonly {
    readonly name?: string;
    readonly partitionResponses?: readonly { readonly index?: number; readonly errorCode?: number }[];
  }[];
}

/**
 * The batch the broker refused as too large, read from the produce response inside the library's error;
 * without one, the largest batch of the request.
 */
export function refusedBatch<M>(error: unknown, batches: readonly PartitionBatch<M>[]): PartitionBatch<M> | undefined {
  for (const node of errorTree(error)) {
    const response = (node as { response?: ProduceResponse }).response;
    for (const topic of response?.responses ?? []) {
      for (const partition of topic.partitionResponses ?? []) {
        if (partition.errorCode === undefined || !tooLargeErrorCodes.has(partition.errorCode)) continue;
        const batch = batches.find((b) => b.topic === topic.name && b.partition === partition.index);
        if (batch) return batch;
      }
    }
  }
  return batches.reduce<PartitionBatch<M> | undefined>(
    (largest, b) => (largest && largest.bytes >= b.bytes ? largest : b),
    undefined,
  );
}

/** What the broker refused: one record batch of a partition. */
export interface RefusedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: { readonly length: number };
  /** Upper bound on the batch's bytes as the broker counts them. */
  readonly bytes: number;
}

/**
 * The error for a batch the broker refused as larger than the topic's max.message.bytes: names the topic,
 * partition, size and limit, and whether one record or the producer's batching is to blame.
 * `limit` is the topic's max.message.bytes when it could be read.
 */
export function batchTooLargeError(
  batch: RefusedBatch,
  limit: number | undefined,
  batchBytes: number,
  cause: unknown,
): KStreamsError {
  const where = `topic "${batch.topic}" partition ${batch.partition}`;
  const limitText =
    limit === undefined
      ? `the topic's max.message.bytes (the broker's message.max.bytes, ${defaultMaxMessageBytes} bytes unless changed)`
      : `the topic's limit of ${limit} bytes (max.message.bytes)`;
  const raise = `Raise max.message.bytes on topic "${batch.topic}" (kafka-configs --alter --entity-type topics --entity-name ${batch.topic} --add-config max.message.bytes=<bytes>; consumers must be allowed to fetch that much too)`;
  if (batch.records.length === 1) {
    return new KStreamsError(
      'KAFKA_PRODUCE_FAILED',
      `The broker refused a record of ${batch.bytes} bytes (serialized, sent alone) for ${where}: it is larger than ${limitText}.`,
      {
        hint: `${raise}, or shrink the record (a smaller value, compression, or store the payload elsewhere and send a reference).`,
        cause,
      },
    );
  }
  return new KStreamsError(
    'KAFKA_PRODUCE_FAILED',
    `The broker refused a batch of ${batch.records.length} records (${batch.bytes} bytes) for ${where}: it is larger than ${limitText}; this producer batches up to ${batchBytes} bytes per partition.`,
    { hint: `${raise} to at least ${batchBytes}.`, cause },
  );
}

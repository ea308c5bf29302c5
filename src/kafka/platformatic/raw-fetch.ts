import {
  type Callback,
  type Connection,
  type Consumer,
  compressionsAlgorithmsByBitmask,
  createAPI,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  kGetApi,
  kGetConnection,
  kPerformWithRetry,
  type Reader,
  readKnownTaggedFields,
} from '@platformatic/kafka';
import { KStreamsError } from '../../errors.ts';
import { compressionCodecs } from '../record-batches.ts';
import type { AbortedTransaction, Decompress } from '../types.ts';

/** One partition of a fetch answered with its record batches undecoded. */
export interface RawFetchPartition {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly abortedTransactions: readonly AbortedTransaction[];
  /** The record batches' bytes (the last one possibly cut off); empty when none. */
  readonly records: Buffer;
}

export interface RawFetchResponse {
  readonly responses: readonly { readonly topicId: string; readonly partitions: readonly RawFetchPartition[] }[];
}

export type RawFetchRequest = Parameters<typeof fetchV17.createRequest>;

const emptyRecords: Buffer = Buffer.alloc(0);

// Fetch v13-v17 answer alike (topic ids, compact records); the versions differ in the request only.
function parseRawFetchResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader) {
  reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) {
    // A whole-request error (fetch sessions are not used, so rare): retried as the library retries.
    throw new KStreamsError('KAFKA_CONSUME_FAILED', `A fetch failed with Kafka error code ${errorCode}.`, {
      hint: 'Check the broker log; the fetch is retried, and restoration resumes from the stored offsets after a restart.',
      retriable: true,
    });
  }
  reader.readInt32();
  const response: RawFetchResponse = {
    responses: reader.readArray((r) => ({
      topicId: r.readUUID(),
      partitions: r.readArray(
        (r) => {
          const partitionIndex = r.readInt32();
          const partitionError = r.readInt16();
          // High watermark, last stable offset, log start offset.
          r.skip(24);
          const aborted = r.readNullableArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })) ?? [];
          r.readInt32();
          // COMPACT_RECORDS: the length plus one, 0 for null.
          const size = r.readUnsignedVarInt();
          let records = emptyRecords;
          if (size > 1) {
            // A view of the response when it lies in one socket chunk, else a copy; kept by the caller.
            records = r.buffer.slice(r.position, r.position + size - 1);
            r.skip(size - 1);
          }
          readKnownTaggedFields(r, {});
          return {
            partitionIndex,
            errorCode: partitionError,
            abortedTransactions: aborted.map((a) => ({ producerId: a.producerId, firstOffset: Number(a.firstOffset) })),
            records,
          } satisfies RawFetchPartition;
        },
        true,
        false,
      ),
    })),
  };
  readKnownTaggedFields(reader, {});
  return response;
}

const requestByVersion = new Map<number, (...args: RawFetchRequest) => unknown>([
  [13, fetchV13.createRequest],
  [14, fetchV14.createRequest],
  [15, fetchV15.createRequest],
  [16, fetchV16.createRequest],
  [17, fetchV17.createRequest],
]);

const apiByVersion = new Map(
  [...requestByVersion].map(([version, createRequest]) => [
    version,
    createAPI(1, version, createRequest as never, parseRawFetchResponse as never),
  ]),
);

// The library's Consumer with the hooks it gives its own fetch: the negotiated API version, a pooled
// connection to a broker, and its retry policy.
interface ConsumerInternals {
  [kGetApi](name: string, callback: Callback<{ version: number }>): void;
  [kGetConnection](broker: { host: string; port: number }, callback: Callback<Connection>): void;
  [kPerformWithRetry]<T>(
    operationId: string,
    operation: (retryCallback: Callback<T>) => void,
    callback: Callback<T>,
  ): void;
}

/**
 * Fetch with the record batches left undecoded (restoration reads them in place). Undefined when the
 * broker speaks no Fetch version from 13 (Kafka 3.1): the caller then fetches decoded records.
 */
export async function rawFetchVersion(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): Promise<number | undefined> {
  const internals = consumer as unknown as ConsumerInternals;
  const api = await new Promise<{ version: number }>((resolve, reject) =>
    internals[kGetApi]('Fetch', (error, found) => (error ? reject(error) : resolve(found!))),
  );
  return apiByVersion.has(api.version) ? api.version : undefined;
}

/** Sends one Fetch of `version` (see `rawFetchVersion`) to a broker, retried as the library retries. */
export function rawFetch(
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
  version: number,
  broker: { host: string; port: number },
  request: RawFetchRequest,
): Promise<RawFetchResponse> {
  const internals = consumer as unknown as ConsumerInternals;
  const api = apiByVersion.get(version);
  if (api === undefined) return Promise.reject(new Error(`Fetch v${version} is not read undecoded.`));
  return new Promise((resolve, reject) => {
    internals[kPerformWithRetry]<RawFetchResponse>(
      'fetch',
      (retry) =>
        internals[kGetConnection](broker, (error, connection) => {
          if (error) retry(error);
          else api(connection!, ...request, retry as Callback<unknown>);
        }),
      (error, response) => (error ? reject(error) : resolve(response!)),
    );
  });
}

/** The library's codecs by Kafka's codec names. */
export const platformaticDecompress: Decompress = (codec, data) => {
  const algorithm = compressionsAlgorithmsByBitmask[compressionCodecs.indexOf(codec)];
  if (algorithm === undefined) throw new Error(`The @platformatic/kafka client has no ${codec} codec.`);
  return algorithm.decompressSync(data) as Buffer;
};

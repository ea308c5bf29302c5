import { createRequire } from 'node:module';
import type { Cluster } from 'kafkajs';
import kafkajs from 'kafkajs';
import { KStreamsError } from '../../errors.ts';
import { type CompressionCodec, compressionCodecs } from '../record-batches.ts';
import type { AbortedTransaction } from '../types.ts';

/** One partition of a fetch answered with its record batches undecoded. */
export interface RawFetchPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly abortedTransactions: readonly AbortedTransaction[];
  /** The record batches' bytes (the last one possibly cut off); empty when none. */
  readonly records: Buffer;
}

export interface RawFetchTopic {
  readonly topic: string;
  readonly partitions: readonly RawFetchPartition[];
}

export interface RawFetchOptions {
  readonly isolationLevel: number;
  readonly maxWaitTime: number;
  readonly maxBytes: number;
  readonly topics: readonly {
    readonly topic: string;
    readonly partitions: readonly { partition: number; fetchOffset: string; maxBytes: number }[];
  }[];
}

interface ProtocolRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  encode(): Promise<unknown>;
}

// The parts of a kafkajs broker this uses: its negotiated API versions and its connection pool, which sends
// a request with the response decoder given.
interface KafkaJsBroker {
  readonly versions: Readonly<Record<number, { readonly maxVersion: number }>> | null;
  readonly connectionPool: {
    send(request: {
      request: ProtocolRequest;
      response: { decode(payload: Buffer): Promise<RawFetchTopic[]>; parse(data: RawFetchTopic[]): RawFetchTopic[] };
      requestTimeout: number;
    }): Promise<RawFetchTopic[]>;
  };
  disconnect(): Promise<void>;
}

const fetchApiKey = 1;
const rawVersion = 11;

type FetchV11Request = (options: {
  replicaId: number;
  isolationLevel: number;
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  topics: RawFetchOptions['topics'];
}) => ProtocolRequest;

// kafkajs's own Fetch v11 request encoder (the response is read here, leaving the record batches as
// bytes). Not part of its public API: if a kafkajs release moves it, restoration reads decoded records.
const fetchV11Request = ((): FetchV11Request | undefined => {
  try {
    return createRequire(import.meta.url)('kafkajs/src/protocol/requests/fetch/v11/request.js') as FetchV11Request;
  } catch {
    return undefined;
  }
})();

/** Whether the cluster's brokers answer Fetch v11 (Kafka 2.3+), the version read undecoded here. */
export function rawFetchSupported(cluster: Cluster): boolean {
  if (fetchV11Request === undefined) return false;
  const versions = (cluster as unknown as { brokerPool?: { versions?: KafkaJsBroker['versions'] } }).brokerPool
    ?.versions;
  return (versions?.[fetchApiKey]?.maxVersion ?? 0) >= rawVersion;
}

/** Sends one Fetch v11 to the leader `nodeId`, answered with each partition's record batches undecoded. */
export async function rawFetch(cluster: Cluster, nodeId: string, options: RawFetchOptions): Promise<RawFetchTopic[]> {
  if (fetchV11Request === undefined)
    throw new Error('kafkajs has no Fetch v11 encoder; check rawFetchSupported first.');
  const broker = (await cluster.findBroker({ nodeId })) as unknown as KafkaJsBroker;
  try {
    return await broker.connectionPool.send({
      request: fetchV11Request({ replicaId: -1, minBytes: 1, ...options }),
      response: { decode: async (payload) => decodeRawFetchResponse(payload), parse: (data) => data },
      // As kafkajs does: a Fetch may wait at the broker for maxWaitTime.
      requestTimeout: options.maxWaitTime + 100,
    });
  } catch (error) {
    // As kafkajs's own broker does: a closed connection is dropped so the next request reconnects.
    if ((error as { name?: string }).name === 'KafkaJSConnectionClosedError') await broker.disconnect();
    throw error;
  }
}

/**
 * Fetch v11's response: throttle, error, session, then per topic and partition the header fields and the
 * records as bytes (views of the response, which kafkajs allocates per response).
 */
export function decodeRawFetchResponse(payload: Buffer): RawFetchTopic[] {
  let at = 0;
  const errorCode = payload.readInt16BE(4);
  if (errorCode !== 0) {
    throw new KStreamsError('KAFKA_CONSUME_FAILED', `A fetch failed with Kafka error code ${errorCode}.`, {
      hint: 'Check the broker log; the fetch is retried on the next poll.',
      retriable: true,
    });
  }
  at = 10;
  const topics: RawFetchTopic[] = [];
  const topicCount = payload.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topicCount; t++) {
    const nameLength = payload.readInt16BE(at);
    const topic = payload.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const partitions: RawFetchPartition[] = [];
    const partitionCount = payload.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitionCount; p++) {
      const partition = payload.readInt32BE(at);
      const partitionError = payload.readInt16BE(at + 4);
      // High watermark, last stable offset, log start offset.
      at += 6 + 24;
      const abortedCount = payload.readInt32BE(at);
      at += 4;
      const abortedTransactions: AbortedTransaction[] = [];
      for (let a = 0; a < abortedCount; a++) {
        abortedTransactions.push({
          producerId: payload.readBigInt64BE(at),
          firstOffset: Number(payload.readBigInt64BE(at + 8)),
        });
        at += 16;
      }
      // Preferred read replica.
      at += 4;
      const recordsLength = payload.readInt32BE(at);
      at += 4;
      const records = recordsLength > 0 ? payload.subarray(at, at + recordsLength) : emptyRecords;
      if (recordsLength > 0) at += recordsLength;
      partitions.push({ partition, errorCode: partitionError, abortedTransactions, records });
    }
    topics.push({ topic, partitions });
  }
  return topics;
}

const emptyRecords: Buffer = Buffer.alloc(0);

type CodecFactory = () => { decompress(data: Buffer): Promise<Buffer> };

/** kafkajs's codecs (asynchronous; snappy, lz4 and zstd once registered by the application). */
export async function kafkaJsDecompress(codec: CompressionCodec, data: Buffer): Promise<Buffer> {
  const factories = kafkajs.CompressionCodecs as unknown as Record<number, CodecFactory | undefined>;
  let decompressor: ReturnType<CodecFactory> | undefined;
  try {
    decompressor = factories[compressionCodecs.indexOf(codec)]?.();
  } catch {
    // kafkajs's placeholder for a codec nobody registered throws "not implemented".
  }
  if (decompressor === undefined) {
    throw new KStreamsError('KAFKA_CONSUME_FAILED', `A fetched record batch is ${codec}-compressed.`, {
      hint: `Register a ${codec} codec in kafkajs's CompressionCodecs, as for any kafkajs consumer.`,
      retriable: false,
    });
  }
  return decompressor.decompress(data);
}

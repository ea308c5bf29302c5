import { connect } from 'node:net';

/**
 * A minimal Kafka Metadata v12 exchange over a raw socket, so readiness checks depend on neither a client
 * library nor the project's own client port. Only the broker list is decoded.
 */

const metadataApiKey = 3;
const metadataVersion = 12;
const clientId = 'kstreams-kafka-script';

export interface ProbedBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface MetadataProbe {
  readonly correlationId: number;
  readonly clusterId: string | undefined;
  readonly controllerId: number;
  /** The live (registered, unfenced) brokers the answering node knows about. */
  readonly brokers: readonly ProbedBroker[];
}

/** A size-prefixed Metadata v12 request asking for no topics (header v2, flexible body). */
export function encodeMetadataRequest(correlationId: number): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const header = Buffer.alloc(10);
  header.writeInt16BE(metadataApiKey, 0);
  header.writeInt16BE(metadataVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(client.length, 8);
  // header tagged fields; topics = empty compact array (length + 1 = 1); allow_auto_topic_creation = false;
  // include_topic_authorized_operations = false; body tagged fields.
  const rest = Buffer.from([0, 1, 0, 0, 0]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + client.length + rest.length, 0);
  return Buffer.concat([size, header, client, rest]);
}

interface Cursor {
  readonly buffer: Buffer;
  offset: number;
}

function readInt32(cursor: Cursor): number {
  const value = cursor.buffer.readInt32BE(cursor.offset);
  cursor.offset += 4;
  return value;
}

function readUnsignedVarint(cursor: Cursor): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = cursor.buffer.readUInt8(cursor.offset++);
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  throw new RangeError('Malformed unsigned varint in a Metadata response.');
}

function readCompactNullableString(cursor: Cursor): string | undefined {
  const lengthPlusOne = readUnsignedVarint(cursor);
  if (lengthPlusOne === 0) return undefined;
  const end = cursor.offset + lengthPlusOne - 1;
  if (end > cursor.buffer.length) throw new RangeError('Truncated string in a Metadata response.');
  const value = cursor.buffer.toString('utf8', cursor.offset, end);
  cursor.offset = end;
  return value;
}

function skipTaggedFields(cursor: Cursor): void {
  const count = readUnsignedVarint(cursor);
  for (let i = 0; i < count; i++) {
    readUnsignedVarint(cursor); // tag
    const size = readUnsignedVarint(cursor); // read before touching offset: `offset += read()` loses the read
    cursor.offset += size;
  }
}

/** Decodes a Metadata v12 response frame without its 4-byte size prefix (response header v1). */
export function decodeMetadataResponse(frame: Buffer): MetadataProbe {
  const cursor: Cursor = { buffer: frame, offset: 0 };
  const correlationId = readInt32(cursor);
  skipTaggedFields(cursor);
  readInt32(cursor); // throttle_time_ms
  const brokerCount = readUnsignedVarint(cursor) - 1;
  const brokers: ProbedBroker[] = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = readInt32(cursor);
    const host = readCompactNullableString(cursor) ?? '';
    const port = readInt32(cursor);
    readCompactNullableString(cursor); // rack
    skipTaggedFields(cursor);
    brokers.push({ nodeId, host, port });
  }
  const clusterId = readCompactNullableString(cursor);
  const controllerId = readInt32(cursor);
  return { correlationId, clusterId, controllerId, brokers };
}

/** Sends one Metadata request to host:port; rejects on connection errors, bad frames or the timeout. */
export function probeMetadata(host: string, port: number, timeoutMs = 3000): Promise<MetadataProbe> {
  return new Promise((resolve, reject) => {
    const correlationId = Math.floor(Math.random() * 0x7fffffff);
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, probe?: MetadataProbe) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(probe as MetadataProbe);
    };
    const timer = setTimeout(
      () => finish(new Error(`No Metadata response from ${host}:${port} in ${timeoutMs} ms.`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(encodeMetadataRequest(correlationId)));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection before answering.`)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      try {
        const probe = decodeMetadataResponse(received.subarray(4, 4 + size));
        if (probe.correlationId !== correlationId) throw new Error(`Unexpected correlation id from ${host}:${port}.`);
        finish(undefined, probe);
      } catch (error) {
        finish(error as Error);
      }
    });
  });
}

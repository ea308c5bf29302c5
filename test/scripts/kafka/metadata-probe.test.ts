import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMetadataResponse, encodeMetadataRequest, probeMetadata } from '../../../scripts/kafka/metadata-probe.ts';

function uvarint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

function int32(value: number): number[] {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return [...buffer];
}

function compactString(value: string | null): number[] {
  if (value === null) return [0];
  const bytes = [...Buffer.from(value, 'utf8')];
  return [...uvarint(bytes.length + 1), ...bytes];
}

/** A Metadata v12 response frame (without size prefix) as a broker would send it. */
function metadataResponse(correlationId: number, brokers: { id: number; host: string; port: number; rack?: string }[]) {
  return Buffer.from([
    ...int32(correlationId),
    // response header tagged fields: one unknown tag (id 5, 2 bytes) that must be skipped
    1,
    5,
    2,
    0xaa,
    0xbb,
    ...int32(0), // throttle_time_ms
    ...uvarint(brokers.length + 1),
    ...brokers.flatMap((broker) => [
      ...int32(broker.id),
      ...compactString(broker.host),
      ...int32(broker.port),
      ...compactString(broker.rack ?? null),
      0,
    ]),
    ...compactString('nMLtwf_3QwS3AYfYsS8VEQ'),
    ...int32(1), // controller_id
    1, // topics: empty compact array
    0, // tagged fields
  ]);
}

describe('encodeMetadataRequest', () => {
  it('encodes a size-prefixed Metadata v12 request for no topics', () => {
    const request = encodeMetadataRequest(0x01020304);
    expect(request.readInt32BE(0)).toBe(request.length - 4);
    expect(request.readInt16BE(4)).toBe(3); // api key Metadata
    expect(request.readInt16BE(6)).toBe(12); // api version
    expect(request.readInt32BE(8)).toBe(0x01020304);
    const clientIdLength = request.readInt16BE(12);
    expect(request.toString('utf8', 14, 14 + clientIdLength)).toBe('kstreams-kafka-script');
    // header tags, empty topics array, allow_auto_topic_creation, include_topic_authorized_operations, tags
    expect([...request.subarray(14 + clientIdLength)]).toEqual([0, 1, 0, 0, 0]);
  });
});

describe('decodeMetadataResponse', () => {
  it('decodes the brokers, the cluster id and the controller', () => {
    const probe = decodeMetadataResponse(
      metadataResponse(42, [
        { id: 0, host: '127.0.0.1', port: 9092 },
        { id: 1, host: 'kafka-1.example', port: 9093, rack: 'rack-a' },
      ]),
    );
    expect(probe).toEqual({
      correlationId: 42,
      clusterId: 'nMLtwf_3QwS3AYfYsS8VEQ',
      controllerId: 1,
      brokers: [
        { nodeId: 0, host: '127.0.0.1', port: 9092 },
        { nodeId: 1, host: 'kafka-1.example', port: 9093 },
      ],
    });
  });

  it('decodes a cluster that has no live broker yet', () => {
    expect(decodeMetadataResponse(metadataResponse(7, [])).brokers).toEqual([]);
  });

  it('rejects a truncated frame', () => {
    const frame = metadataResponse(7, [{ id: 0, host: '127.0.0.1', port: 9092 }]);
    expect(() => decodeMetadataResponse(frame.subarray(0, 20))).toThrow(RangeError);
  });
});

describe('probeMetadata', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  function listen(onRequest: (request: Buffer, socket: Socket) => void): Promise<number> {
    server = createServer((socket) => socket.on('data', (request) => onRequest(request, socket)));
    return new Promise((resolve) => {
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  /** Sends a frame in two writes: the probe must reassemble it. */
  function reply(socket: Socket, frame: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length);
    socket.write(Buffer.concat([size, frame.subarray(0, 3)]));
    setTimeout(() => socket.write(frame.subarray(3)), 5);
  }

  it('answers the brokers a server returns for its request', async () => {
    const port = await listen((request, socket) => {
      reply(socket, metadataResponse(request.readInt32BE(8), [{ id: 2, host: '127.0.0.1', port: 9094 }]));
    });
    const probe = await probeMetadata('127.0.0.1', port);
    expect(probe.brokers).toEqual([{ nodeId: 2, host: '127.0.0.1', port: 9094 }]);
  });

  it('rejects an answer to another request', async () => {
    const port = await listen((request, socket) => reply(socket, metadataResponse(request.readInt32BE(8) + 1, [])));
    await expect(probeMetadata('127.0.0.1', port)).rejects.toThrow(/Unexpected correlation id/);
  });

  it('rejects when the server closes without answering', async () => {
    const port = await listen((_request, socket) => socket.end());
    await expect(probeMetadata('127.0.0.1', port)).rejects.toThrow(/closed the connection/);
  });

  it('rejects after the timeout when the server never answers', async () => {
    const port = await listen(() => {});
    await expect(probeMetadata('127.0.0.1', port, 100)).rejects.toThrow(/No Metadata response .* in 100 ms/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import type { AvroFraming, AvroSchema } from '../../../src/serdes/index.ts';
import { avroSchemaInfo, avroSerde, InMemorySchemaStore, Serdes } from '../../../src/serdes/index.ts';
import { thrown } from '../support/thrown.ts';
import java from './fixtures/java-avro-vectors.json' with { type: 'json' };

interface OrderV1 {
  id: string;
  amount: number;
  quantity: number;
  note: string | null;
}

interface OrderV2 extends OrderV1 {
  currency: string;
}

const v1Path = new URL('./fixtures/order-v1.avsc', import.meta.url).pathname;
const v2Path = new URL('./fixtures/order-v2.avsc', import.meta.url).pathname;
const [javaV1, javaV2] = java.messages;
const bytes = (hex: string) => Buffer.from(hex, 'hex');

describe('avroSerde', () => {
  it('writes exactly the single-object encoding Java’s BinaryMessageEncoder writes', () => {
    expect(
      avroSerde<OrderV1>(v1Path)
        .serialize('orders', javaV1!.value as OrderV1)
        ?.toString('hex'),
    ).toBe(javaV1!.hex);
    expect(
      avroSerde<OrderV2>(v2Path)
        .serialize('orders', javaV2!.value as OrderV2)
        ?.toString('hex'),
    ).toBe(javaV2!.hex);
  });

  it('reads Java’s messages written with its own schema', () => {
    expect(avroSerde<OrderV1>(v1Path).deserialize('orders', bytes(javaV1!.hex))).toEqual(javaV1!.value);
    expect(avroSerde<OrderV2>(v2Path).deserialize('orders', bytes(javaV2!.hex))).toEqual(javaV2!.value);
  });

  it('round-trips typed records and keeps null as null (tombstones)', () => {
    const serde = Serdes.avro<OrderV1>(v1Path);
    const order: OrderV1 = { id: 'o-9', amount: 0.1, quantity: -4, note: 'ünïcødé' };
    expect(serde.deserialize('orders', serde.serialize('orders', order))).toEqual(order);
    expect(serde.serialize('orders', null)).toBeNull();
    expect(serde.deserialize('orders', null)).toBeNull();
  });

  it('round-trips generic values without a type parameter, including large ones', () => {
    const serde = avroSerde({ type: 'map', values: { type: 'array', items: 'string' } });
    const big = { words: Array.from({ length: 500 }, (_, index) => `word-${index}`) };
    expect(serde.deserialize('t', serde.serialize('t', big))).toEqual(big);
    expect(serde.deserialize('t', serde.serialize('t', { few: ['a'] }))).toEqual({ few: ['a'] });
  });

  describe('schema evolution', () => {
    it('a newer reader reads old data, filling an added field from its default', () => {
      const store = new InMemorySchemaStore([JSON.parse(readFileSync(v1Path, 'utf8'))]);
      const reader = avroSerde<OrderV2>(v2Path, { store });
      expect(reader.deserialize('orders', bytes(javaV1!.hex))).toEqual({ ...javaV1!.value, currency: 'EUR' });
    });

    it('an older reader reads new data, ignoring the field it does not know', () => {
      const store = new InMemorySchemaStore();
      const writer = avroSerde<OrderV2>(v2Path, { store });
      const reader = avroSerde<OrderV1>(v1Path, { store });
      const order: OrderV2 = { id: 'o-2', amount: 3, quantity: 1, note: null, currency: 'CHF' };
      expect(reader.deserialize('orders', writer.serialize('orders', order))).toEqual({
        id: 'o-2',
        amount: 3,
        quantity: 1,
        note: null,
      });
      // Java's message too, once its writer schema is known to the store.
      expect(reader.deserialize('orders', bytes(javaV2!.hex))).toStrictEqual(
        expect.objectContaining({ id: 'order-2', amount: 99.99, quantity: 1, note: null }),
      );
      expect(reader.deserialize('orders', bytes(javaV2!.hex))).not.toHaveProperty('currency');
    });

    it('names incompatible schemas in a SERDE_DESERIALIZATION_FAILED error', () => {
      const store = new InMemorySchemaStore();
      const writer = avroSerde<OrderV1>(v1Path, { store });
      const reader = avroSerde(
        { type: 'record', name: 'dev.kstreams.example.Order', fields: [{ name: 'sku', type: 'string' }] },
        { store },
      );
      const error = thrown(() => reader.deserialize('orders', writer.serialize('orders', javaV1!.value as OrderV1)));
      expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
      expect(error.message).toContain('cannot be read with this reader schema');
      expect(error.hint).toContain('default');
    });
  });

  it('rejects data from an unknown writer schema, saying to register it', () => {
    const error = thrown(() => avroSerde<OrderV2>(v2Path).deserialize('orders', bytes(javaV1!.hex)));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('topic "orders"');
    expect(error.message).toContain(bytes(javaV1!.hex).subarray(2, 10).toString('hex'));
    expect(error.hint).toContain('Register the writer schema');
  });

  it('rejects data without the single-object marker', () => {
    const error = thrown(() => avroSerde<OrderV1>(v1Path).deserialize('orders', Buffer.from('{"id":"o-1"}')));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('not the single-object marker c301');
  });

  it('rejects truncated and padded bodies instead of returning partial values', () => {
    const serde = avroSerde<OrderV1>(v1Path);
    const data = bytes(javaV1!.hex);
    for (const broken of [data.subarray(0, data.length - 3), Buffer.concat([data, Buffer.from([0])])]) {
      const error = thrown(() => serde.deserialize('orders', broken));
      expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
      expect(error.message).toContain('malformed');
    }
  });

  it('rejects a value that does not match the schema with SERDE_SERIALIZATION_FAILED', () => {
    const error = thrown(() => avroSerde<OrderV1>(v1Path).serialize('orders', { id: 'o' } as OrderV1));
    expect(isKStreamsError(error, 'SERDE_SERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('does not match the schema');
  });

  it('takes another framing, e.g. a Confluent-style magic byte 0 + 4-byte schema id', () => {
    const registry = new Map<number, AvroSchema>([
      [7, JSON.parse(readFileSync(v1Path, 'utf8'))],
      [8, JSON.parse(readFileSync(v2Path, 'utf8'))],
    ]);
    const writer = avroSerde<OrderV1>(v1Path, { framing: confluentStyleFraming(registry) });
    const reader = avroSerde<OrderV2>(v2Path, { framing: confluentStyleFraming(registry) });
    const data = writer.serialize('orders', javaV1!.value as OrderV1);
    expect(data?.subarray(0, 5).toString('hex')).toBe('0000000007');
    // Same Avro body as Java's single-object message, after a different header.
    expect(data?.subarray(5).toString('hex')).toBe(javaV1!.hex.slice(20));
    expect(reader.deserialize('orders', data)).toEqual({ ...javaV1!.value, currency: 'EUR' });
  });
});

/** A minimal framing over a pre-fetched id -> schema map, to show the seam is enough for a registry format. */
function confluentStyleFraming(registry: ReadonlyMap<number, AvroSchema>): AvroFraming {
  const idsByFingerprint = new Map([...registry].map(([id, schema]) => [avroSchemaInfo(schema).fingerprint, id]));
  return {
    name: 'Confluent-style framing',
    headerLength: 5,
    headerFor(writer) {
      const header = Buffer.alloc(5);
      header.writeUInt32BE(idsByFingerprint.get(writer.fingerprint)!, 1);
      return header;
    },
    writerId: (_topic, data) => data.readUInt32BE(1),
    writerSchema: (_topic, id) => registry.get(Number(id))!,
  };
}

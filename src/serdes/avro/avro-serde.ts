import type avsc from 'avsc';
import type { Serde } from '../serde.ts';
import { deserializationFailed, serializationFailed } from '../serde-errors.ts';
import type { AvroFraming } from './avro-framing.ts';
import type { AvroSchema } from './avro-schema.ts';
import { loadAvroSchema, parseAvroSchema } from './avro-schema.ts';
import type { AvroSchemaStore } from './schema-store.ts';
import { InMemorySchemaStore } from './schema-store.ts';
import { singleObjectEncoding } from './single-object-encoding.ts';

export interface AvroSerdeOptions {
  /**
   * Writer schemas by fingerprint, for reading data written with other schema versions. Default: a new
   * in-memory store. Share one store between serdes (or pre-register old versions) to read their data.
   */
  readonly store?: AvroSchemaStore;
  /** The message header. Default: single-object encoding over `store`. */
  readonly framing?: AvroFraming;
}

type Resolver = ReturnType<avsc.Type['createResolver']>;

const INITIAL_SCRATCH_BYTES = 1024;

/**
 * Avro values with `schema` (a schema, its JSON text, or the path of an `.avsc` file) as both the writer
 * schema of what this serde produces and the reader schema of what it consumes. Data written with another
 * schema version is resolved to this one by Avro's rules: fields added with a default are filled in, fields
 * this schema does not know are skipped. `T` is the caller's promise about the records; without it values are
 * `unknown` (generic records: plain objects keyed by field name).
 *
 * @example
 * const orders = avroSerde<Order>('schemas/order.avsc', { store });
 */
export function avroSerde<T = unknown>(schema: AvroSchema, options: AvroSerdeOptions = {}): Serde<T> {
  const loaded = loadAvroSchema(schema);
  const reader = parseAvroSchema(loaded.schema, loaded.source);
  const framing = options.framing ?? singleObjectEncoding(options.store ?? new InMemorySchemaStore());
  const { headerLength } = framing;
  const header = framing.headerFor(reader);
  // Bodies are encoded after a copy of the header in one reused buffer, then copied out at their exact size:
  // one allocation per record.
  let scratch = withHeader(Buffer.allocUnsafe(INITIAL_SCRATCH_BYTES), header);
  const resolvers = new Map<bigint | number, Resolver>();

  function resolverFor(topic: string, writerId: bigint | number): Resolver {
    const writer = parseAvroSchema(framing.writerSchema(topic, writerId), `the writer schema with id ${writerId}`);
    try {
      const resolver = reader.type.createResolver(writer.type);
      resolvers.set(writerId, resolver);
      return resolver;
    } catch (error) {
      throw deserializationFailed(
        `Serdes.avro(${reader.type.name ?? reader.canonicalForm})`,
        topic,
        `the writer schema ${writer.canonicalForm} cannot be read with this reader schema (${(error as Error).message})`,
        'Evolve schemas compatibly: give every added field a default, and only remove fields that have one.',
        error,
      );
    }
  }

  return {
    serialize(topic, value) {
      if (value === null || value === undefined) return null;
      let end: number;
      try {
        end = reader.type.encode(value, scratch, headerLength);
        if (end < 0) {
          // encode reports the shortfall as a negative number; grow once to at least the needed size.
          scratch = withHeader(Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end)), header);
          end = reader.type.encode(value, scratch, headerLength);
        }
      } catch (error) {
        throw serializationFailed(
          `Serdes.avro(${reader.type.name ?? reader.canonicalForm})`,
          topic,
          `the value does not match the schema (${(error as Error).message})`,
          'Give the value every field of the schema, with the declared types (a union field may be null only if the union has "null").',
          error,
        );
      }
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    },

    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      let resolver: Resolver | undefined;
      // Most records were written with this very schema: compare the header bytes, no lookup needed.
      if (!startsWith(data, header)) {
        const writerId = framing.writerId(topic, data);
        resolver = resolvers.get(writerId) ?? resolverFor(topic, writerId);
      }
      let decoded: { value: T; offset: number };
      try {
        decoded = reader.type.decode(data, headerLength, resolver);
      } catch (error) {
        throw corrupt(topic, data, (error as Error).message, error);
      }
      if (decoded.offset !== data.length) {
        throw corrupt(
          topic,
          data,
          decoded.offset < 0
            ? 'the body ends before the record does'
            : `${data.length - decoded.offset} bytes follow the record`,
        );
      }
      return decoded.value;
    },
  };

  function corrupt(topic: string, data: Buffer, reason: string, cause?: unknown) {
    return deserializationFailed(
      `Serdes.avro(${reader.type.name ?? reader.canonicalForm})`,
      topic,
      `the ${data.length}-byte Avro body is malformed for its writer schema: ${reason}`,
      'The record was written with a different schema than its header names, or was truncated; check the producer’s serializer.',
      cause,
    );
  }
}

// A byte loop: Buffer#compare with ranges costs a native call with argument checks, ~50x slower for 10 bytes.
function startsWith(data: Buffer, header: Buffer): boolean {
  if (data.length < header.length) return false;
  for (let index = 0; index < header.length; index++) if (data[index] !== header[index]) return false;
  return true;
}

function withHeader(buffer: Buffer, header: Buffer): Buffer {
  header.copy(buffer, 0);
  return buffer;
}

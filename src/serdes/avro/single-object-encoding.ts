import { deserializationFailed } from '../serde-errors.ts';
import type { AvroFraming } from './avro-framing.ts';
import type { AvroSchemaStore } from './schema-store.ts';
import { isWritableSchemaStore } from './schema-store.ts';

const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
const HEADER_LENGTH = 10;
const NAME = 'Avro single-object encoding';

/**
 * The Avro spec's single-object encoding: `C3 01`, the writer schema's CRC-64-AVRO fingerprint as 8 bytes
 * little-endian, then the Avro binary body. Writer schemas are looked up by fingerprint in `store`; a writable
 * store also learns the schema of every serde that writes through this framing.
 */
export function singleObjectEncoding(store: AvroSchemaStore): AvroFraming {
  return {
    name: NAME,
    headerLength: HEADER_LENGTH,
    headerFor(writer) {
      if (isWritableSchemaStore(store)) store.register(writer.schema);
      const header = Buffer.alloc(HEADER_LENGTH);
      header[0] = MAGIC_0;
      header[1] = MAGIC_1;
      header.writeBigInt64LE(writer.fingerprint, 2);
      return header;
    },
    writerId(topic, data) {
      if (data.length < HEADER_LENGTH || data[0] !== MAGIC_0 || data[1] !== MAGIC_1) {
        throw deserializationFailed(
          NAME,
          topic,
          data.length < HEADER_LENGTH
            ? `the record has ${data.length} bytes, fewer than the ${HEADER_LENGTH}-byte header (C3 01 + fingerprint)`
            : `the record starts with ${data.subarray(0, 2).toString('hex')}, not the single-object marker c301`,
          'The producers of this topic do not write Avro single-object encoding: if they use a Confluent schema registry (first byte 00), configure a Confluent framing; otherwise configure the serde that matches what they write.',
        );
      }
      return data.readBigInt64LE(2);
    },
    writerSchema(topic, id) {
      const fingerprint = BigInt(id);
      const schema = store.schemaFor(fingerprint);
      if (schema === undefined) {
        throw deserializationFailed(
          NAME,
          topic,
          `no writer schema with fingerprint ${formatFingerprint(fingerprint)} is known`,
          'Register the writer schema the producers use in the serde’s schema store (new InMemorySchemaStore([writerSchema]) or store.register(writerSchema)), or share one store between the writing and reading serdes.',
        );
      }
      return schema;
    },
  };
}

/** The fingerprint as the 8 header bytes in hex, as a hex dump of the message shows them. */
export function formatFingerprint(fingerprint: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(fingerprint, 0);
  return `${bytes.toString('hex')} (${fingerprint})`;
}

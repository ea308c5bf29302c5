import type { AvroSchema, AvroSchemaInfo } from './avro-schema.ts';

/**
 * How Avro messages name their writer schema: a fixed-length header before the Avro binary body.
 * `singleObjectEncoding` is the Avro spec's own; a Confluent-compatible one (magic 0 + 4-byte schema id,
 * `headerLength` 5) fits the same shape.
 */
export interface AvroFraming {
  /** For messages: `Avro single-object encoding`. */
  readonly name: string;
  /** Bytes before the Avro body. */
  readonly headerLength: number;
  /** The header of every message written with `writer`; a serde asks once and reuses it. */
  headerFor(writer: AvroSchemaInfo): Buffer;
  /** The id of the writer schema in the header of `data`; throws `SERDE_DESERIALIZATION_FAILED` on a bad header. */
  writerId(topic: string, data: Buffer): bigint | number;
  /**
   * The writer schema with that id; throws `SERDE_DESERIALIZATION_FAILED` naming the fix when it is unknown.
   * Called once per id: serdes cache what they build from the answer.
   */
  writerSchema(topic: string, id: bigint | number): AvroSchema;
}

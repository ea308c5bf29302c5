export type { AvroFraming } from './avro-framing.ts';
export type { AvroSchema, AvroSchemaInfo } from './avro-schema.ts';
export { avroSchemaInfo } from './avro-schema.ts';
export type { AvroSerdeOptions } from './avro-serde.ts';
export { avroSerde } from './avro-serde.ts';
export { rabinFingerprint64 } from './rabin-fingerprint.ts';
export type { AvroSchemaStore, WritableAvroSchemaStore } from './schema-store.ts';
export { InMemorySchemaStore } from './schema-store.ts';
export { singleObjectEncoding } from './single-object-encoding.ts';

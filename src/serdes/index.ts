export type {
  AvroFraming,
  AvroSchema,
  AvroSchemaInfo,
  AvroSchemaStore,
  AvroSerdeOptions,
  WritableAvroSchemaStore,
} from './avro/index.ts';
export {
  avroSchemaInfo,
  avroSerde,
  InMemorySchemaStore,
  rabinFingerprint64,
  singleObjectEncoding,
} from './avro/index.ts';
export { booleanSerde } from './boolean-serde.ts';
export { bytesSerde } from './bytes-serde.ts';
export { doubleSerde } from './double-serde.ts';
export type { FixedWidthFormat, FixedWidthReadError } from './fixed-width-serde.ts';
export { fixedWidthSerde } from './fixed-width-serde.ts';
export { floatSerde } from './float-serde.ts';
export { int16Serde } from './int16-serde.ts';
export { int32Serde } from './int32-serde.ts';
export { int64Serde } from './int64-serde.ts';
export type { JsonSerdeOptions } from './json-serde.ts';
export { jsonSerde } from './json-serde.ts';
export { longSerde } from './long-serde.ts';
export type { Deserializer, Serde, SerdeHeader, SerdeType, Serializer } from './serde.ts';
export { serdeFrom } from './serde-from.ts';
export { Serdes } from './serdes.ts';
export { stringSerde } from './string-serde.ts';
export { voidSerde } from './void-serde.ts';
export type { TimeWindow, Windowed } from './windowed.ts';
export { sessionWindowedSerdeFrom, timeWindowedSerdeFrom, WindowedSerdes } from './windowed-serdes.ts';

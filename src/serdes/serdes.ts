import { avroSerde } from './avro/avro-serde.ts';
import { booleanSerde } from './boolean-serde.ts';
import { bytesSerde } from './bytes-serde.ts';
import { doubleSerde } from './double-serde.ts';
import { floatSerde } from './float-serde.ts';
import { int16Serde } from './int16-serde.ts';
import { int32Serde } from './int32-serde.ts';
import { int64Serde } from './int64-serde.ts';
import { jsonSerde } from './json-serde.ts';
import { longSerde } from './long-serde.ts';
import { serdeFrom } from './serde-from.ts';
import { stringSerde } from './string-serde.ts';
import { voidSerde } from './void-serde.ts';

/**
 * The built-in serdes by name, like Java's `Serdes.String()`. The fixed-width ones write exactly the bytes
 * of Kafka's Java serializers, so topics can be shared with Java, Go or Python applications.
 *
 * @example
 * builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
 */
export const Serdes = {
  string: stringSerde,
  bytes: bytesSerde,
  json: jsonSerde,
  /** Java's Short. */
  int16: int16Serde,
  /** Java's Integer. */
  int32: int32Serde,
  /** Java's Long as bigint (full range). */
  int64: int64Serde,
  /** Java's Long as number (fails beyond 2^53 - 1). */
  long: longSerde,
  float: floatSerde,
  double: doubleSerde,
  boolean: booleanSerde,
  void: voidSerde,
  avro: avroSerde,
  serdeFrom,
} as const;

/**
 * The serde contract, as in Kafka's Java clients: a serializer turns a value into the bytes of a record key
 * or value, a deserializer turns them back. `null` stays `null` both ways (a null value is a tombstone), so
 * implementations never see `null` as something to encode. Failures throw a `KStreamsError` with code
 * `SERDE_SERIALIZATION_FAILED` or `SERDE_DESERIALIZATION_FAILED`.
 */

/** A record header, structurally the same as the Kafka client port's header (serdes sit below it). */
export interface SerdeHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface Serializer<T> {
  /** The bytes for `value`; `null` (or `undefined`) in gives `null` out. */
  serialize(topic: string, value: T | null | undefined, headers?: readonly SerdeHeader[]): Buffer | null;
}

export interface Deserializer<T> {
  /** The value in `data`; `null` (or `undefined`) in gives `null` out. */
  deserialize(topic: string, data: Buffer | null | undefined, headers?: readonly SerdeHeader[]): T | null;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {}

/** The value type of a serde: `SerdeType<typeof orderSerde>` is `Order`. */
export type SerdeType<S> = S extends Serde<infer T> ? T : never;

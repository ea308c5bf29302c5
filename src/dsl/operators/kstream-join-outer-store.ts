import { KStreamsError } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { StoreBuilder } from '../../state/state-store.ts';
import type { StoreContext } from '../../state/store-context.ts';
import { Stores } from '../../state/stores.ts';

export const joinSides = ['left', 'right'] as const;
export type JoinSide = (typeof joinSides)[number];

/** A record waiting for a partner: its timestamp, side and key (Kafka Streams' TimestampedKeyAndJoinSide). */
export interface OuterJoinKey<K> {
  readonly timestamp: number;
  readonly side: JoinSide;
  readonly key: K;
}

/** The values of one side that arrived at one timestamp with one key and have no partner yet. */
export interface OuterJoinValues {
  readonly side: JoinSide;
  readonly values: readonly unknown[];
}

export type OuterJoinStore<K> = KeyValueStore<OuterJoinKey<K>, OuterJoinValues>;

export interface OuterJoinStoreOptions<K, V, VO> {
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly otherValueSerde: Serde<VO> | undefined;
  readonly persistent: boolean;
  readonly logging: boolean;
  readonly loggingConfigs: Readonly<Record<string, string>>;
}

const timeBytes = 8;
const sideByte = { left: 0, right: 1 } as const;

/**
 * The store of non-joined records of a left or outer KStream-KStream join (the "shared outer join store"
 * of Kafka Streams 3.x): records wait here until their window closes and are then emitted joined with null.
 * Keys are `timestamp (int64 BE) | side | serialized key`, so iteration runs in time order, which lets the
 * emitter stop at the first open window. Serdes left undefined come from the application's defaults when
 * the task builds the store, as for every DSL store.
 */
export class OuterJoinStoreBuilder<K, V, VO> implements StoreBuilder<OuterJoinStore<K>> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly loggingConfigs: Readonly<Record<string, string>>;
  readonly persistent: boolean;
  readonly cachingEnabled = false;
  readonly #options: OuterJoinStoreOptions<K, V, VO>;

  constructor(options: OuterJoinStoreOptions<K, V, VO>) {
    this.name = options.name;
    this.loggingEnabled = options.logging;
    this.loggingConfigs = options.loggingConfigs;
    this.persistent = options.persistent;
    this.#options = options;
  }

  build(context?: StoreContext): OuterJoinStore<K> {
    const options = this.#options;
    const keySerde = options.keySerde ?? (context?.defaultKeySerde as Serde<K> | undefined);
    const valueSerde = options.valueSerde ?? (context?.defaultValueSerde as Serde<V> | undefined);
    const otherValueSerde = options.otherValueSerde ?? (context?.defaultValueSerde as Serde<VO> | undefined);
    if (keySerde === undefined || valueSerde === undefined || otherValueSerde === undefined) {
      throw new KStreamsError('CONFIG_INVALID', `The outer join store "${this.name}" has no serdes.`, {
        hint: 'Give StreamJoined keySerde, valueSerde and otherValueSerde, or build it in a task with default serdes.',
      });
    }
    const supplier = this.persistent
      ? Stores.persistentKeyValueStore(this.name)
      : Stores.inMemoryKeyValueStore(this.name);
    const builder = Stores.keyValueStoreBuilder(
      supplier,
      outerJoinKeySerde(keySerde),
      outerJoinValuesSerde(valueSerde as Serde<unknown>, otherValueSerde as Serde<unknown>),
    ).withCachingDisabled();
    return (
      this.loggingEnabled ? builder.withLoggingEnabled(this.loggingConfigs) : builder.withLoggingDisabled()
    ).build(context);
  }
}

function outerJoinKeySerde<K>(keySerde: Serde<K>): Serde<OuterJoinKey<K>> {
  return {
    serialize: (topic, value) => {
      if (value === null || value === undefined) return null;
      const key = keySerde.serialize(topic, value.key) ?? Buffer.alloc(0);
      const bytes = Buffer.allocUnsafe(timeBytes + 1 + key.length);
      bytes.writeBigInt64BE(BigInt(value.timestamp), 0);
      bytes.writeUInt8(sideByte[value.side], timeBytes);
      key.copy(bytes, timeBytes + 1);
      return bytes;
    },
    deserialize: (topic, data) => {
      if (data === null || data === undefined) return null;
      return {
        timestamp: Number(data.readBigInt64BE(0)),
        side: data.readUInt8(timeBytes) === sideByte.left ? 'left' : 'right',
        key: keySerde.deserialize(topic, data.subarray(timeBytes + 1)) as K,
      };
    },
  };
}

/** `side | (length uint32 BE | value bytes)*`: the values of one side, in arrival order. */
function outerJoinValuesSerde(valueSerde: Serde<unknown>, otherValueSerde: Serde<unknown>): Serde<OuterJoinValues> {
  const serdeOf = (side: JoinSide) => (side === 'left' ? valueSerde : otherValueSerde);
  return {
    serialize: (topic, entry) => {
      if (entry === null || entry === undefined) return null;
      const serde = serdeOf(entry.side);
      const parts: Buffer[] = [Buffer.from([sideByte[entry.side]])];
      for (const value of entry.values) {
        const bytes = serde.serialize(topic, value) ?? Buffer.alloc(0);
        const length = Buffer.allocUnsafe(4);
        length.writeUInt32BE(bytes.length, 0);
        parts.push(length, bytes);
      }
      return Buffer.concat(parts);
    },
    deserialize: (topic, data) => {
      if (data === null || data === undefined) return null;
      const side: JoinSide = data.readUInt8(0) === sideByte.left ? 'left' : 'right';
      const serde = serdeOf(side);
      const values: unknown[] = [];
      for (let offset = 1; offset < data.length; ) {
        const length = data.readUInt32BE(offset);
        offset += 4;
        values.push(serde.deserialize(topic, data.subarray(offset, offset + length)));
        offset += length;
      }
      return { side, values };
    },
  };
}

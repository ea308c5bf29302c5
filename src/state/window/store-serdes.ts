import { isKStreamsError, KStreamsError, reasonOf } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';

/**
 * The serdes of a typed window or session store, with failures turned into KStreamsErrors that name the
 * store. The topic given to the serdes is the store's changelog topic, as in Kafka Streams.
 */
export class StoreSerdes<K, V> {
  readonly #store: string;
  readonly #topic: string;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;

  constructor(store: string, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.#store = store;
    this.#topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  keyBytes(key: K): Buffer {
    const bytes = this.#call('key', 'serialize', () => this.#keySerde.serialize(this.#topic, key));
    if (bytes === null) {
      throw new KStreamsError('SERDE_SERIALIZATION_FAILED', `Store "${this.#store}" was given a null key.`, {
        hint: 'Drop or re-key records with null keys before they reach a windowed store.',
      });
    }
    return bytes;
  }

  /** Null for a null or undefined value (a delete). */
  valueBytes(value: V | null | undefined): Buffer | null {
    if (value === null || value === undefined) return null;
    return this.#call('value', 'serialize', () => this.#valueSerde.serialize(this.#topic, value));
  }

  keyOf(bytes: Buffer): K {
    const key = this.#call('key', 'deserialize', () => this.#keySerde.deserialize(this.#topic, bytes));
    if (key === null) {
      throw new KStreamsError(
        'SERDE_DESERIALIZATION_FAILED',
        `The key serde of store "${this.#store}" read a null key.`,
        { hint: 'Configure a key serde for this store that reads back the keys it writes.' },
      );
    }
    return key;
  }

  valueOf(bytes: Buffer): V {
    const value = this.#call('value', 'deserialize', () => this.#valueSerde.deserialize(this.#topic, bytes));
    if (value === null) {
      throw new KStreamsError(
        'SERDE_DESERIALIZATION_FAILED',
        `The value serde of store "${this.#store}" read a null value.`,
        { hint: 'Configure a value serde for this store that reads back the values it writes.' },
      );
    }
    return value;
  }

  valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.valueOf(bytes);
  }

  #call<T>(what: 'key' | 'value', direction: 'serialize' | 'deserialize', call: () => T): T {
    try {
      return call();
    } catch (error) {
      if (isKStreamsError(error)) throw error;
      throw new KStreamsError(
        direction === 'serialize' ? 'SERDE_SERIALIZATION_FAILED' : 'SERDE_DESERIALIZATION_FAILED',
        `The ${what} serde of store "${this.#store}" failed to ${direction}: ${reasonOf(error)}.`,
        {
          hint: `Check the ${what} serde given to the store "${this.#store}" (or the application's default ${what} serde).`,
          cause: error,
        },
      );
    }
  }
}

import { isKStreamsError, KStreamsError, reasonOf } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { StoreContext } from '../store-context.ts';

/** How error hints name the kind of store and its builder. */
export interface StoreKindNames {
  /** The builder users give serdes to, e.g. `Stores.keyValueStoreBuilder`. */
  readonly builder: string;
  /** The store that must not see null keys, e.g. `a key-value store`. */
  readonly store: string;
}

/**
 * The serdes of a typed store, with failures turned into KStreamsErrors that name the store. The topic
 * given to the serdes is the store's changelog topic, as in Kafka Streams.
 */
export class StoreSerdes<K, V> {
  readonly #store: string;
  readonly #topic: string;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #kind: StoreKindNames;
  // The last primitive key and its bytes: an update serializes its key for the read and again for the write.
  #lastKey: K | undefined;
  #lastKeyBytes: Buffer | undefined;

  constructor(store: string, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, kind: StoreKindNames) {
    this.#store = store;
    this.#topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#kind = kind;
  }

  keyBytes(key: K): Buffer {
    // Object.is: 0 and -0 may serialize differently (a double serde), so they must not share bytes.
    if (this.#lastKeyBytes !== undefined && Object.is(key, this.#lastKey)) return this.#lastKeyBytes;
    const bytes = this.#call('key', 'serialize', () => this.#keySerde.serialize(this.#topic, key));
    if (bytes === null) {
      throw new KStreamsError('SERDE_SERIALIZATION_FAILED', `Store "${this.#store}" was given a null key.`, {
        hint: `Drop or re-key records with null keys before they reach ${this.#kind.store}.`,
      });
    }
    // Objects may change between calls (and compare by identity): only primitives are remembered.
    if (typeof key !== 'object' && typeof key !== 'function') {
      this.#lastKey = key;
      this.#lastKeyBytes = bytes;
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
    const value = this.#deserializeValue(bytes);
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

  /** Lenient read for key-value stores: absent bytes, or a serde that reads null, give undefined. */
  valueOrUndefined(bytes: Buffer | undefined): V | undefined {
    return bytes === undefined ? undefined : (this.#deserializeValue(bytes) ?? undefined);
  }

  #deserializeValue(bytes: Buffer): V | null {
    return this.#call('value', 'deserialize', () => this.#valueSerde.deserialize(this.#topic, bytes));
  }

  /** Runs a serde call; a failure that is not already a KStreamsError is wrapped in one naming the store. */
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

/**
 * The store's serdes, falling back to the context's defaults; throws CONFIG_INVALID when one is missing.
 * Without a context the serdes are given the store name as topic, else its changelog topic.
 */
export function resolveStoreSerdes<K, V>(
  name: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  context: StoreContext | undefined,
  kind: StoreKindNames,
): StoreSerdes<K, V> {
  const key = keySerde ?? (context?.defaultKeySerde as Serde<K> | undefined);
  const value = valueSerde ?? (context?.defaultValueSerde as Serde<V> | undefined);
  if (key === undefined || value === undefined) {
    throw new KStreamsError('CONFIG_INVALID', `The store "${name}" has no ${key ? 'value' : 'key'} serde.`, {
      hint: `Give the serdes to ${kind.builder}, or build the store with a StoreContext that has default serdes.`,
    });
  }
  const topic = context === undefined ? name : `${context.applicationId}-${name}-changelog`;
  return new StoreSerdes(name, topic, key, value, kind);
}

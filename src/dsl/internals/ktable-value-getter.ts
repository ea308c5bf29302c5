import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';

/** Reads a table's current value for a key inside one task; `null` when the key has no row. */
export type KTableValueGetter<K, V> = (key: K) => V | null;

/** What a value getter needs from its processor's context: the stores connected to it. */
export type StoreLookup = Pick<ProcessorContext<never, never>, 'getStateStore'>;

/**
 * How to read a table's current values (Kafka Streams' KTableValueGetterSupplier): a materialized table
 * reads its store, an unmaterialized filter or mapValues applies its operator over its parent's getter.
 * Every processor that uses the getter must be connected to `storeNames`.
 */
export interface KTableValueGetterSupplier<K, V> {
  readonly storeNames: readonly string[];
  /** Binds to the stores of the task whose processor calls it (call from `init`). */
  bind(context: StoreLookup): KTableValueGetter<K, V>;
}

/** Reads the table's own key-value store. */
export function storeValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    bind: (context) => {
      const store = context.getStateStore<KeyValueStore<K, V>>(storeName);
      return (key) => store.get(key) ?? null;
    },
  };
}

/** Applies a table operator (filter, mapValues) to what the parent's getter reads; `null` stays `null`. */
export function derivedValueGetter<K, V, VR>(
  parent: KTableValueGetterSupplier<K, V>,
  derive: (key: K, value: V) => VR | null,
): KTableValueGetterSupplier<K, VR> {
  return {
    storeNames: parent.storeNames,
    bind: (context) => {
      const get = parent.bind(context);
      return (key) => {
        const value = get(key);
        return value === null ? null : derive(key, value);
      };
    },
  };
}

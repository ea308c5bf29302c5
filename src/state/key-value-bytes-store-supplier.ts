import type { BytesStore } from './bytes-store.ts';
import type { StoreContext } from './store-context.ts';

/**
 * Names a key-value store and opens its bytes store for one task (Kafka Streams' KeyValueBytesStoreSupplier).
 * `Stores.persistentKeyValueStore` and `Stores.inMemoryKeyValueStore` ask the task's context, which knows
 * the state directory; a custom supplier may open any BytesStore.
 */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  get(context: StoreContext): BytesStore;
}

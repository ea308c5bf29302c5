import type { BytesStore } from './bytes-store.ts';
import { type LmdbEnvironmentOptions, openLmdbStore } from './lmdb/index.ts';
import { InMemoryBytesStore } from './memory/in-memory-bytes-store.ts';

/**
 * What a runtime's `StoreContext.openBytesStore` usually does: a persistent store opens in the task's LMDB
 * environment (`<stateDir>/<applicationId>/<taskId>/lmdb/`), an in-memory one in memory.
 */
export function openTaskBytesStore(
  location: LmdbEnvironmentOptions,
  storeName: string,
  persistent: boolean,
): BytesStore {
  return persistent ? openLmdbStore({ ...location, storeName }) : new InMemoryBytesStore(storeName);
}

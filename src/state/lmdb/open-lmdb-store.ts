import type { BytesStore } from '../bytes-store.ts';
import { LmdbBytesStore } from './lmdb-bytes-store.ts';
import { type LmdbEnvironmentOptions, LmdbTaskEnvironment } from './lmdb-task-environment.ts';

export interface LmdbStoreOptions extends LmdbEnvironmentOptions {
  readonly storeName: string;
}

/**
 * Opens the persistent bytes store `storeName` of a task, in `<stateDir>/<applicationId>/<taskId>/lmdb/`.
 * The task's stores share one LMDB environment, which closes with the last of them. Lock the application
 * directory first (lockStateDirectory): the lock is what keeps a second instance out.
 *
 * Throws STATE_STORE_CORRUPT (naming the path) when the task's LMDB file is damaged, unless
 * `onCorrupt: 'wipe'`, which deletes the task directory and opens it empty for a restore.
 */
export function openLmdbStore(options: LmdbStoreOptions): BytesStore {
  const { environment, data } = LmdbTaskEnvironment.acquire(options, options.storeName);
  return new LmdbBytesStore(options.storeName, environment, data);
}

export { checkLmdbDataFile } from './lmdb-file-check.ts';
export type { LmdbEnvironmentOptions } from './lmdb-task-environment.ts';
export { type LmdbStoreOptions, openLmdbStore } from './open-lmdb-store.ts';
export { destroyApplicationState, wipeTaskDirectory } from './state-directory-cleanup.ts';
export {
  type ApplicationStateLocation,
  applicationDirectory,
  lmdbDirectory,
  type TaskStateLocation,
  taskDirectory,
} from './state-directory-layout.ts';
export {
  isLockedByThisProcess,
  liveLockOwner,
  lockStateDirectory,
  type StateDirectoryLock,
} from './state-directory-lock.ts';

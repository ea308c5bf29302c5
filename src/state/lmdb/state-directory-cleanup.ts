import { existsSync, rmSync } from 'node:fs';
import { KStreamsError } from '../../errors.ts';
import { LmdbTaskEnvironment } from './lmdb-task-environment.ts';
import {
  type ApplicationStateLocation,
  applicationDirectory,
  type TaskStateLocation,
  taskDirectory,
} from './state-directory-layout.ts';
import { lockStateDirectory } from './state-directory-lock.ts';

/**
 * Deletes a task's local state (all its stores) so it can be restored from the changelogs, e.g. after
 * STATE_STORE_CORRUPT. Refuses while a store of the task is open in this process.
 */
export function wipeTaskDirectory(location: TaskStateLocation): void {
  const directory = taskDirectory(location);
  refuseWhileOpen(directory);
  rmSync(directory, { recursive: true, force: true });
}

/**
 * Deletes an application's local state (`app.cleanUp()`, reset). Refuses while another instance holds the
 * state directory lock or a store is open in this process; the lock is taken for the deletion.
 */
export function destroyApplicationState(location: ApplicationStateLocation): void {
  const directory = applicationDirectory(location);
  if (!existsSync(directory)) return;
  refuseWhileOpen(directory);
  const lock = lockStateDirectory(location);
  try {
    rmSync(directory, { recursive: true, force: true });
  } finally {
    lock.release();
  }
}

function refuseWhileOpen(directory: string): void {
  if (LmdbTaskEnvironment.isOpenUnder(directory)) {
    throw new KStreamsError('ILLEGAL_STATE', `Cannot delete ${directory}: stores under it are open.`, {
      hint: 'Close the stores (stop the application) before cleaning up its state.',
    });
  }
}

import { join, resolve } from 'node:path';
import { KStreamsError } from '../../errors.ts';

/**
 * Where local state lives, following Kafka Streams (`<stateDir>/<application.id>/<taskId>/rocksdb/...`):
 * `<stateDir>/<applicationId>/` holds the instance lock, each task gets `<taskId>/`, and the task's stores
 * share one LMDB environment in `<taskId>/lmdb/`.
 */
export interface ApplicationStateLocation {
  readonly stateDir: string;
  readonly applicationId: string;
}

export interface TaskStateLocation extends ApplicationStateLocation {
  readonly taskId: string;
}

export function applicationDirectory(location: ApplicationStateLocation): string {
  return resolve(location.stateDir, safeSegment('applicationId', location.applicationId));
}

export function taskDirectory(location: TaskStateLocation): string {
  return join(applicationDirectory(location), safeSegment('taskId', location.taskId));
}

export function lmdbDirectory(location: TaskStateLocation): string {
  return join(taskDirectory(location), 'lmdb');
}

// A segment such as '..' or 'a/b' would put state (and wipes) outside the application directory.
function safeSegment(what: string, segment: string): string {
  if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
    throw new KStreamsError('CONFIG_INVALID', `The ${what} "${segment}" cannot be used as a directory name.`, {
      hint: `Use a ${what} without path separators that is not "." or "..".`,
    });
  }
  return segment;
}

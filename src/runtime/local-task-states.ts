import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ApplicationStateLocation, applicationDirectory, lmdbDirectory } from '../state/lmdb/index.ts';

const taskDirectoryName = /^\d+_\d+$/;

/**
 * The tasks with local state under the application's state directory (`<taskId>/lmdb/data.mdb`, not
 * empty), sorted: what a member advertises so the assignor can give it back tasks whose state it kept
 * (Kafka Streams sends task offset sums for the same purpose). An unreadable directory means no state.
 */
export function localTaskStates(location: ApplicationStateLocation): string[] {
  let names: string[];
  try {
    names = readdirSync(applicationDirectory(location));
  } catch {
    return [];
  }
  return names
    .filter(
      (name) => taskDirectoryName.test(name) && hasData(join(lmdbDirectory({ ...location, taskId: name }), 'data.mdb')),
    )
    .sort();
}

function hasData(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

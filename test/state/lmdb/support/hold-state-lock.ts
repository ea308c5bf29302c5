// Run as a child process: locks an application's state directory, says so, and holds the lock until killed.
import { lockStateDirectory } from '../../../../src/state/lmdb/state-directory-lock.ts';

const [stateDir, applicationId] = process.argv.slice(2);
if (stateDir === undefined || applicationId === undefined)
  throw new Error('usage: hold-state-lock <stateDir> <applicationId>');
const lock = lockStateDirectory({ stateDir, applicationId });
process.on('SIGTERM', () => {
  lock.release();
  process.exit(0);
});
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => {}, 60_000);

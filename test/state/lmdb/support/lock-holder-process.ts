import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./hold-state-lock.ts', import.meta.url));

/** A child process that holds the lock of an application's state directory until killed. */
export async function startLockHolder(
  stateDir: string,
  applicationId: string,
): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, [script, stateDir, applicationId], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).startsWith('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${errors}`)));
  });
  return child as ChildProcess & { pid: number };
}

/** Kills a child and waits until it is gone (and reaped). */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** The pid of a process that has already exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return child.pid!;
}

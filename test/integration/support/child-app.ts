import { type ChildProcess, spawn } from 'node:child_process';

/** An application running in a child process, for the crash tests. */
export interface ChildApp {
  readonly child: ChildProcess;
  /** Resolves true when the app reports RUNNING, false if it exits first. */
  readonly running: Promise<boolean>;
  /** Its stderr, to print when a test fails. */
  readonly log: string[];
}

/** Starts `script` (a support app printing `{"state": ...}` lines) with Node and the given environment. */
export function spawnChildApp(script: string, env: Record<string, string>): ChildApp {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const running = new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"RUNNING"')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  return { child, running, log };
}

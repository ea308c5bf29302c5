import { type ChildProcess, fork } from 'node:child_process';
import { KStreamsError } from '../src/errors.ts';

/** What a benchmark worker process tells its parent over IPC. */
export type WorkerMessage<Result> =
  /** The worker has joined its group; the parent may start writing (latency runs). */
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: Result }
  | { readonly type: 'failed'; readonly message: string };

export interface WorkerRun<Job> {
  /** The worker script; it gets the job as JSON in argv[2]. */
  readonly file: string;
  readonly job: Job;
  /** Names the run in a failure message ("the kafkajs pipe run"). */
  readonly label: string;
  /** The worker is killed this long after it started. */
  readonly killAfterMs: number;
  /** Runs once the worker reported `ready`; a failure kills the worker and fails the run. */
  readonly onReady?: () => Promise<unknown>;
}

const activeWorkers = new Set<ChildProcess>();

/** Kills every running worker (on SIGINT), so the parent can delete its topics and exit. */
export function killWorkers(): void {
  for (const child of activeWorkers) child.kill('SIGKILL');
}

/** Runs one worker in its own process (so its peak RSS is its own) and resolves with its result. */
export function runWorker<Job, Result>(run: WorkerRun<Job>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(run.file, [JSON.stringify(run.job)], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    activeWorkers.add(child);
    let outcome: WorkerMessage<Result> | undefined;
    let readyWork: Promise<unknown> = Promise.resolve();
    let readyFailure: unknown;
    const guard = setTimeout(() => child.kill('SIGKILL'), run.killAfterMs);
    child.on('message', (message: WorkerMessage<Result>) => {
      if (message.type !== 'ready') {
        outcome = message;
        return;
      }
      if (run.onReady === undefined) return;
      readyWork = run.onReady().catch((error: unknown) => {
        readyFailure = error;
        child.kill('SIGKILL');
      });
    });
    child.on('error', reject);
    // 'close' comes after the IPC channel closed, so the worker's last message has arrived.
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      activeWorkers.delete(child);
      void readyWork.then(() => {
        if (readyFailure !== undefined) reject(readyFailure);
        else if (outcome?.type === 'result') resolve(outcome.result);
        else {
          const reason = outcome?.type === 'failed' ? outcome.message : `it exited with ${signal ?? `code ${code}`}`;
          reject(
            new KStreamsError('KAFKA_CONSUME_FAILED', `The ${run.label} failed: ${reason}`, {
              hint: 'Check the adapter with its contract tests (test/kafka/contract/) and the broker log.',
            }),
          );
        }
      });
    });
  });
}

/** Worker side: sends a message to the parent (or prints it when started by hand) and waits until it left. */
export function reportToParent<Result>(message: WorkerMessage<Result>): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    } else {
      process.send(message, undefined, {}, () => resolve());
    }
  });
}

/** Worker side: the job from argv, or exits with a usage line when the script was started by hand. */
export function jobFromArgv<Job>(scenario: string): Job {
  const raw = process.argv[2];
  if (raw === undefined) {
    process.stderr.write(`This worker is started by \`npm run bench -- ${scenario}\`; it takes a job as JSON.\n`);
    process.exit(2);
  }
  return JSON.parse(raw) as Job;
}

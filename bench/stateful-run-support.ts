import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatefulJob, StatefulRunResult } from './stateful-protocol-support.ts';
import { runWorker } from './worker-support.ts';

const workerFile = fileURLToPath(new URL('./stateful-worker.ts', import.meta.url));

/** One stateful-worker process (count, restore or consume), killed if it outlives its job's timeout. */
export function statefulWorker(job: StatefulJob): Promise<StatefulRunResult> {
  return runWorker<StatefulJob, StatefulRunResult>({
    file: workerFile,
    job,
    label: `${job.adapter} ${job.mode} run`,
    killAfterMs: job.timeoutMs + 90_000,
  });
}

/** Runs `body` with a fresh empty state directory, deleted afterwards whatever happens. */
export async function withTempStateDir<T>(body: (stateDir: string) => Promise<T>): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-state-'));
  try {
    return await body(stateDir);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Generous: a run's budget grows with its input (1 ms per record) on top of two minutes. */
export function timeoutFor(records: number): number {
  return Math.round(records / 1000) * 1000 + 120_000;
}

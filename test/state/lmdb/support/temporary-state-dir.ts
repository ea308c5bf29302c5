import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { BytesStore } from '../../../../src/state/bytes-store.ts';

/** A fresh state directory under the OS temp dir; remove() deletes it. */
export function temporaryStateDir(): { stateDir: string; remove(): void } {
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-state-'));
  return { stateDir, remove: () => rmSync(stateDir, { recursive: true, force: true }) };
}

/** Closes a store, failing the test instead of hanging if close does not finish in time. */
export async function closeWithin(store: BytesStore, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`close() of store "${store.name}" took more than ${ms} ms`)), ms);
  });
  try {
    await Promise.race([store.close(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fresh state directory for each test of the enclosing describe (deleted after it), and the task
 * location under it: call inside describe().
 */
export function useTaskLocation(
  applicationId: string,
  taskId: string,
): () => { stateDir: string; applicationId: string; taskId: string } {
  let directory: ReturnType<typeof temporaryStateDir> | undefined;
  beforeEach(() => {
    directory = temporaryStateDir();
  });
  afterEach(() => {
    directory?.remove();
    directory = undefined;
  });
  return () => {
    if (directory === undefined) throw new Error('useTaskLocation: only inside a test of its describe');
    return { stateDir: directory.stateDir, applicationId, taskId };
  };
}

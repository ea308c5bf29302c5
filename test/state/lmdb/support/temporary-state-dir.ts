import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

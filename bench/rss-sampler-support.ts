import { readFileSync } from 'node:fs';

/** Peaks of the resident set split as Linux does: anonymous memory (heap, buffers) vs mapped files (LMDB). */
export interface RssPeaks {
  readonly anonMb: number;
  readonly fileMb: number;
}

/**
 * Samples /proc/self/status every `intervalMs` and keeps the peaks of RssAnon and RssFile: mmapped LMDB
 * pages count in maxRSS but are reclaimable page cache, so the split tells ours from the kernel's.
 * Resolves null where /proc is absent (not Linux).
 */
export function sampleRss(intervalMs = 50): { stop(): RssPeaks | null } {
  let anon = 0;
  let file = 0;
  let available = true;
  const sample = () => {
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      anon = Math.max(anon, kilobytes(status, 'RssAnon'));
      file = Math.max(file, kilobytes(status, 'RssFile') + kilobytes(status, 'RssShmem'));
    } catch {
      available = false;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return available ? { anonMb: Math.round(anon / 102.4) / 10, fileMb: Math.round(file / 102.4) / 10 } : null;
    },
  };
}

function kilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
}

/** "512 / 61" (largest RssAnon / largest RssFile over the runs, MB), or "n/a" without /proc. */
export function rssSplitCell(runs: readonly { readonly peakRssSplit?: RssPeaks | null }[]): string {
  const splits = runs.map((r) => r.peakRssSplit).filter((s): s is RssPeaks => s !== undefined && s !== null);
  if (splits.length === 0) return 'n/a';
  const anon = Math.max(...splits.map((s) => s.anonMb));
  const file = Math.max(...splits.map((s) => s.fileMb));
  return `${anon.toFixed(0)} / ${file.toFixed(0)}`;
}

/** ", anon 512 MB, file 61 MB" for a run's log line; empty without /proc. */
export function rssSplitText(split: RssPeaks | null | undefined): string {
  return split ? `, anon ${split.anonMb} MB, file ${split.fileMb} MB` : '';
}

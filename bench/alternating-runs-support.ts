/**
 * Runs `runs` rounds of a baseline and a measured run, alternating which goes first (the baseline on odd
 * rounds), so a drift in machine load (or the page cache) does not favour one side.
 */
export async function alternateRuns(
  runs: number,
  baselineOnce: (run: number) => Promise<void>,
  measuredOnce: (run: number) => Promise<void>,
): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    if (run % 2 === 1) {
      await baselineOnce(run);
      await measuredOnce(run);
    } else {
      await measuredOnce(run);
      await baselineOnce(run);
    }
  }
}

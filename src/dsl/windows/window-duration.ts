import { KStreamsError } from '../../errors.ts';

/** Checks a window parameter: a whole number of milliseconds, positive or (when allowed) zero. */
export function checkDuration(what: string, ms: number, allowZero: boolean): number {
  if (!Number.isSafeInteger(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `The ${what} must be a ${allowZero ? 'non-negative' : 'positive'} whole number of milliseconds, got ${ms}.`,
      { hint: `Pass the ${what} in milliseconds, e.g. 60_000 for one minute.` },
    );
  }
  return ms;
}

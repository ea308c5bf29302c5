import { KStreamsError } from '../errors.ts';

/** A named condition a service registers for `?until=<name>` (e.g. `confirmed`: a terminal order state). */
export type WaitCondition = (value: unknown) => boolean;

/**
 * The test a long-poll waits for: no `until` means "the key exists"; `field:value` means the value's
 * field (dotted paths allowed) equals the text, compared as text; any other name must be registered.
 */
export function parseWaitCondition(
  until: string | undefined,
  named: Readonly<Record<string, WaitCondition>> = {},
): WaitCondition {
  if (until === undefined || until === '') return () => true;
  const registered = Object.hasOwn(named, until) ? named[until] : undefined;
  if (registered !== undefined) return registered;
  const colon = until.indexOf(':');
  if (colon <= 0) {
    const known = Object.keys(named);
    throw new KStreamsError('QUERY_INVALID', `Unknown wait condition "${until}".`, {
      hint: `Use until=<field>:<value>${known.length > 0 ? ` or one of: ${known.join(', ')}` : ''}.`,
    });
  }
  const path = until.slice(0, colon).split('.');
  const expected = until.slice(colon + 1);
  return (value) => {
    let current: unknown = value;
    for (const part of path) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return false;
      current = (current as Record<string, unknown>)[part];
    }
    return current !== undefined && current !== null && String(current) === expected;
  };
}

import { KStreamsError } from '../../errors.ts';

/** A user function broke the operator's contract at runtime (e.g. `map` returned no key-value pair). */
export function badResult(operator: string, problem: string, hint: string): KStreamsError {
  return new KStreamsError('PROCESSING_FAILED', `Operator "${operator}": ${problem}`, { hint });
}

export function isKeyValue(value: unknown): value is { key: unknown; value: unknown } {
  return typeof value === 'object' && value !== null && 'key' in value && 'value' in value;
}

export function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

import { KStreamsError } from '../errors.ts';
import type { KeyFormat } from '../query/store-queries.ts';

/** A key (or range bound) from its URL text, in the store's key format; a bad one is a 400. */
export function parseKeyText(text: string, format: KeyFormat, what: string): unknown {
  if (format === 'string') return text;
  if (format === 'number') {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new KStreamsError('QUERY_INVALID', `The ${what} "${text}" is not a number; the store has number keys.`, {
        hint: 'Write the key as a decimal number, e.g. /keys/42.',
      });
    }
    return value;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KStreamsError('QUERY_INVALID', `The ${what} is not valid JSON; the store has JSON keys.`, {
      hint: 'URL-encode the key as JSON, e.g. /keys/%7B%22id%22%3A1%7D for {"id":1}.',
      cause: error,
    });
  }
}

/** A non-negative integer query parameter within bounds; a bad one is a 400 naming it. */
export function parseIntParam(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new KStreamsError('QUERY_INVALID', `Parameter ${name}=${text} is not a non-negative integer.`, {
      hint: `Give ${name} as a whole number from 0 to ${max}.`,
    });
  }
  if (value > max) {
    throw new KStreamsError('QUERY_INVALID', `Parameter ${name}=${text} is above the limit of ${max}.`, {
      hint: `Give ${name} as a whole number from 0 to ${max}.`,
    });
  }
  return value;
}

/** A timestamp parameter (epoch ms); a bad one is a 400. */
export function parseTimeParam(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new KStreamsError('QUERY_INVALID', `Parameter ${name}=${text} is not a timestamp.`, {
      hint: `Give ${name} as epoch milliseconds, e.g. ${name}=1700000000000.`,
    });
  }
  return value;
}

import { KStreamsError } from '../../errors.ts';

/** Bytes of one time in a stored key: an int64, big-endian. */
export const timeBytes = 8;

const twoTo32 = 2 ** 32;

/**
 * Writes a time as a big-endian int64. Only non-negative times are ever written (checked by
 * `assertStoreTime`): their sign bit is 0, so unsigned byte order equals numeric order. A negative time
 * would set the sign bit and sort after every positive one, which is why they are refused.
 */
export function writeTime(target: Buffer, time: number, offset: number): void {
  target.writeUInt32BE(Math.floor(time / twoTo32), offset);
  target.writeUInt32BE(time % twoTo32, offset + 4);
}

export function readTime(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * twoTo32 + source.readUInt32BE(offset + 4);
}

/** Refuses a time a store cannot order: negative, fractional, or beyond 2^53. */
export function assertStoreTime(store: string, what: string, time: number): void {
  if (!(Number.isSafeInteger(time) && time >= 0)) {
    throw new KStreamsError('INVALID_TIMESTAMP', `Store "${store}" was given the ${what} ${time}.`, {
      hint: 'Give store times as whole, non-negative milliseconds since the epoch (record timestamps before 1970 are not supported).',
    });
  }
}

/** Refuses a query bound that is not a number; any number (negative, infinite) is clamped by the caller. */
export function assertQueryTime(store: string, what: string, time: number): void {
  if (typeof time !== 'number' || Number.isNaN(time)) {
    throw new KStreamsError('INVALID_TIMESTAMP', `Store "${store}" was queried with the ${what} ${String(time)}.`, {
      hint: 'Give query bounds as milliseconds since the epoch.',
    });
  }
}

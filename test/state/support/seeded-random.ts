/** A small seeded generator (mulberry32): a failing run replays with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Keys as latin1 strings: one char per byte, so string order is byte order. */
export const latin1 = {
  serialize: (_topic: string, value: string | null | undefined): Buffer | null =>
    value === null || value === undefined ? null : Buffer.from(value, 'latin1'),
  deserialize: (_topic: string, data: Buffer | null | undefined): string | null =>
    data === null || data === undefined ? null : data.toString('latin1'),
};

/** A time as 8 big-endian bytes, as the store layouts document it. */
export function int64(time: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(time));
  return bytes;
}

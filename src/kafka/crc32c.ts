/**
 * CRC-32C (Castagnoli), the checksum of Kafka's v2 record batches. Eight table lookups per 8 bytes
 * ("slicing by 8"): the restore path checks every fetched batch, as Java's consumer does (check.crcs).
 */
const polynomial = 0x82f63b78;
const tables = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
  tables[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const previous = tables[(t - 1) * 256 + n]!;
    tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
  }
}

/** The CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = tables;
  let crc = -1;
  let i = start;
  for (; end - i >= 8; i += 8) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

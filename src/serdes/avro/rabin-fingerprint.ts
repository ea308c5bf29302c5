/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema fingerprints and single-object
 * encoding. avsc only offers md5/sha hashes, so it is computed here, from the spec's definition. Runs once
 * per schema, never per record.
 */

const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = (1n << 64n) - 1n;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fingerprint = BigInt(index);
  for (let bit = 0; bit < 8; bit++) fingerprint = (fingerprint >> 1n) ^ (fingerprint & 1n ? EMPTY : 0n);
  return fingerprint;
});

/**
 * The CRC-64-AVRO fingerprint of `bytes` (the UTF-8 Parsing Canonical Form of a schema), as a signed 64-bit
 * value: the convention of Java's `SchemaNormalization.parsingFingerprint64` and of the spec's test vectors.
 */
export function rabinFingerprint64(bytes: Uint8Array | string): bigint {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let fingerprint = EMPTY;
  for (const byte of data) fingerprint = (fingerprint >> 8n) ^ TABLE[Number((fingerprint ^ BigInt(byte)) & 0xffn)]!;
  return BigInt.asIntN(64, fingerprint & MASK_64);
}

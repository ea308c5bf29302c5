/**
 * JSON for query answers: store values may hold bigints (int64 serdes) and Buffers (bytes serdes),
 * which JSON.stringify cannot write or writes as byte arrays. Bigints become decimal strings, Buffers
 * base64 strings.
 */
export function jsonText(value: unknown): string {
  // Plain values (the common case) take JSON.stringify's fast path; a replacer costs a call per value.
  try {
    const plain = JSON.stringify(value);
    if (!plain.includes('"type":"Buffer"')) return plain;
  } catch {
    // A bigint somewhere: write it with the replacer below.
  }
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (isSerializedBuffer(item)) return Buffer.from(item.data).toString('base64');
    return item;
  });
}

/** Buffer.toJSON runs before the replacer sees the value, so Buffers arrive in this shape. */
function isSerializedBuffer(item: unknown): item is { type: 'Buffer'; data: number[] } {
  return (
    typeof item === 'object' &&
    item !== null &&
    (item as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((item as { data?: unknown }).data)
  );
}

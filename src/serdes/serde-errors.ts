import { KStreamsError } from '../errors.ts';

/** Shared by every serde so their errors read alike: what failed, on which topic, why, and what to do. */
export function serializationFailed(serde: string, topic: string, reason: string, hint: string, cause?: unknown) {
  return new KStreamsError(
    'SERDE_SERIALIZATION_FAILED',
    `${serde} could not serialize a value for topic "${topic}": ${reason}.`,
    { hint, cause },
  );
}

export function deserializationFailed(serde: string, topic: string, reason: string, hint: string, cause?: unknown) {
  return new KStreamsError(
    'SERDE_DESERIALIZATION_FAILED',
    `${serde} could not deserialize a record from topic "${topic}": ${reason}.`,
    { hint, cause },
  );
}

/** The hint for bytes that were written by a different serde than the one reading them. */
export function wrongSerdeHint(expected: string): string {
  return `Check that the producers of this topic write ${expected}, or configure the serde that matches what they write.`;
}

/** A short, log-safe rendering of a rejected value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${value === null ? 'null' : typeof value}`;
}

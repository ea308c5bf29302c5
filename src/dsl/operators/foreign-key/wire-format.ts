import { KStreamsError } from '../../../errors.ts';

/** The version byte every foreign-key join record starts with; readers refuse versions they do not know. */
export const FK_JOIN_WIRE_VERSION = 1;

/** Bytes of the left value's hash carried by subscriptions and responses. */
export const HASH_BYTES = 16;

export function checkWireVersion(topic: string, data: Buffer, what: string): void {
  if (data.length < 1 || data[0] !== FK_JOIN_WIRE_VERSION) {
    throw new KStreamsError(
      'SERDE_DESERIALIZATION_FAILED',
      `A ${what} on topic "${topic}" has version ${data[0] ?? '(none)'}, but this build reads version ${FK_JOIN_WIRE_VERSION}.`,
      {
        hint: 'Run one kstreams version across all instances of the application, or reset it (kstreams reset) after an incompatible upgrade.',
      },
    );
  }
}

export function serializationFailed(what: string, topic: string): KStreamsError {
  return new KStreamsError('SERDE_SERIALIZATION_FAILED', `The ${what} for topic "${topic}" serialized to null.`, {
    hint: 'Keys of tables in a foreign-key join must serialize to non-null bytes: check the key serdes.',
  });
}

export function unknownInstruction(topic: string, code: number): KStreamsError {
  return new KStreamsError(
    'SERDE_DESERIALIZATION_FAILED',
    `A subscription on topic "${topic}" has unknown instruction ${code}.`,
    { hint: 'Run one kstreams version across all instances of the application.' },
  );
}

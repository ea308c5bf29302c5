import { KStreamsError } from '../../errors.ts';

/** The broker's default message.max.bytes, which a topic's max.message.bytes defaults to. */
const defaultMaxMessageBytes = 1_048_588;

/** True when kafkajs failed because the broker refused a record batch above max.message.bytes. */
export function isTooLarge(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; depth += 1) {
    const shape = e as { type?: unknown; originalError?: unknown; cause?: unknown };
    if (shape.type === 'MESSAGE_TOO_LARGE' || shape.type === 'RECORD_LIST_TOO_LARGE') return true;
    e = shape.originalError ?? shape.cause;
  }
  return false;
}

/**
 * The error for one record, sent alone, that the broker refused as larger than the topic's
 * max.message.bytes (`limit`, when it could be read): names topic, partition, size and limit.
 */
export function recordTooLargeError(
  record: { readonly topic: string; readonly partition: number; readonly bytes: number },
  limit: number | undefined,
  cause: unknown,
): KStreamsError {
  const limitText =
    limit === undefined
      ? `the topic's max.message.bytes (the broker's message.max.bytes, ${defaultMaxMessageBytes} bytes unless changed)`
      : `the topic's limit of ${limit} bytes (max.message.bytes)`;
  return new KStreamsError(
    'KAFKA_PRODUCE_FAILED',
    `The broker refused a record of ${record.bytes} bytes (serialized, sent alone) for topic "${record.topic}" partition ${record.partition}: it is larger than ${limitText}.`,
    {
      hint: `Raise max.message.bytes on topic "${record.topic}" (kafka-configs --alter --entity-type topics --entity-name ${record.topic} --add-config max.message.bytes=<bytes>; consumers must be allowed to fetch that much too), or shrink the record (a smaller value, compression, or store the payload elsewhere and send a reference).`,
      cause,
    },
  );
}

/** A record as kafkajs's fetch decoder returns it, with its record batch's transaction flags. */
export interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext?: { readonly producerId: string; readonly inTransaction: boolean };
}

export interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/** Control record key: version (int16) then type (int16); type 0 is ABORT, 1 is COMMIT. */
function isAbortMarker(message: FetchedMessage): boolean {
  return message.key !== null && message.key.length >= 4 && message.key.readInt16BE(2) === 0;
}

/**
 * The data records a read_committed reader may see: control records never, and records of a transaction
 * the broker lists as aborted (from its first offset until that producer's abort marker) neither.
 */
export function committedRecords<T extends FetchedMessage>(
  messages: readonly T[],
  abortedTransactions: readonly AbortedTransaction[] | undefined,
): T[] {
  const pending = [...(abortedTransactions ?? [])].sort((a, b) => Number(a.firstOffset) - Number(b.firstOffset));
  const aborting = new Set<string>();
  const visible: T[] = [];
  for (const message of messages) {
    const offset = Number(message.offset);
    while (pending.length > 0 && offset >= Number(pending[0]!.firstOffset)) aborting.add(pending.shift()!.producerId);
    const producerId = message.batchContext?.producerId;
    if (message.isControlRecord === true) {
      if (producerId !== undefined && isAbortMarker(message)) aborting.delete(producerId);
      continue;
    }
    if (producerId !== undefined && message.batchContext?.inTransaction === true && aborting.has(producerId)) continue;
    visible.push(message);
  }
  return visible;
}

/**
 * What an instance has done so far, summed over all its tasks, including tasks it no longer runs. The
 * metrics layer exports these; until then `app.counters()` is how to read them.
 */
export interface RuntimeCounters {
  /** Records polled from input topics (group consumer). */
  recordsConsumed: number;
  /** Records run through a topology (not counting skipped or dead-lettered ones). */
  recordsProcessed: number;
  /** Records skipped under the log-and-continue policy (deserialization or processing). */
  recordsSkipped: number;
  recordsDeadLettered: number;
  /** Output records handed to the producer. */
  recordsProduced: number;
  /** Output records the broker refused and the production policy dropped. */
  recordsDropped: number;
  punctuations: number;
  /** Records processors dropped on purpose: after a window's grace period, past retention, null keys. */
  recordsDroppedLate: number;
  recordsDroppedExpired: number;
  recordsDroppedNullKey: number;
}

export function emptyCounters(): RuntimeCounters {
  return {
    recordsConsumed: 0,
    recordsProcessed: 0,
    recordsSkipped: 0,
    recordsDeadLettered: 0,
    recordsProduced: 0,
    recordsDropped: 0,
    punctuations: 0,
    recordsDroppedLate: 0,
    recordsDroppedExpired: 0,
    recordsDroppedNullKey: 0,
  };
}

export function addCounters(into: RuntimeCounters, from: Readonly<RuntimeCounters>): RuntimeCounters {
  into.recordsConsumed += from.recordsConsumed;
  into.recordsProcessed += from.recordsProcessed;
  into.recordsSkipped += from.recordsSkipped;
  into.recordsDeadLettered += from.recordsDeadLettered;
  into.recordsProduced += from.recordsProduced;
  into.recordsDropped += from.recordsDropped;
  into.punctuations += from.punctuations;
  into.recordsDroppedLate += from.recordsDroppedLate;
  into.recordsDroppedExpired += from.recordsDroppedExpired;
  into.recordsDroppedNullKey += from.recordsDroppedNullKey;
  return into;
}

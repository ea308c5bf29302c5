/**
 * What a window or session store keeps beside its data: its stream time (the largest key time it has
 * seen, which drives retention, never the wall clock) and the next sequence number of a store that
 * retains duplicates. The typed layer and the segmented layer share one instance; the segmented layer
 * persists it in the same commit as the data, so a restart resumes with the same retention horizon and
 * never reuses a sequence number that is still stored.
 */
export class SegmentedStoreState {
  readonly retentionMs: number;
  /** -1 until a key time is seen (times are non-negative). */
  streamTime = -1;
  /** The next duplicate sequence number, an unsigned 32-bit integer. */
  sequence = 0;

  constructor(retentionMs: number) {
    this.retentionMs = retentionMs;
  }

  observe(time: number): void {
    if (time > this.streamTime) this.streamTime = time;
  }

  /** The oldest key time still live: later ones are kept, earlier ones are expired. */
  lowestLiveTime(): number {
    return Math.max(0, this.streamTime - this.retentionMs + 1);
  }

  /** True when `time` is at or before `streamTime - retentionMs`, as in Kafka Streams' segmented stores. */
  isExpired(time: number): boolean {
    return time < this.lowestLiveTime();
  }

  nextSequence(): number {
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    return sequence;
  }

  reset(): void {
    this.streamTime = -1;
    this.sequence = 0;
  }
}

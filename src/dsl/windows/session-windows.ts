import { checkDuration } from './window-duration.ts';

/**
 * Sessions of activity per key (Kafka Streams' SessionWindows): a record within `inactivityGapMs` of a
 * session joins it, and a record that bridges two sessions merges them. A session is `[first, last]`
 * record time, both inclusive, and closes when stream time passes its end + gap + grace.
 *
 * @example
 * stream.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300_000)).count();
 */
export class SessionWindows {
  readonly kind = 'session';
  readonly inactivityGapMs: number;
  readonly graceMs: number;

  private constructor(inactivityGapMs: number, graceMs: number) {
    this.inactivityGapMs = inactivityGapMs;
    this.graceMs = graceMs;
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkDuration('inactivity gap', inactivityGapMs, false);
    checkDuration('grace period', graceMs, true);
    return new SessionWindows(inactivityGapMs, graceMs);
  }
}

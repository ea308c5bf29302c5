import { checkDuration } from './window-duration.ts';

/**
 * Windows defined by the records themselves (Kafka Streams' SlidingWindows): two records fall into a
 * common window when their timestamps differ by at most `timeDifferenceMs`. Each window is
 * `[start, start + timeDifference]`, both ends inclusive, and only windows holding records exist.
 *
 * @example
 * stream.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, 2_000)).count();
 */
export class SlidingWindows {
  readonly kind = 'sliding';
  readonly timeDifferenceMs: number;
  readonly graceMs: number;

  private constructor(timeDifferenceMs: number, graceMs: number) {
    this.timeDifferenceMs = timeDifferenceMs;
    this.graceMs = graceMs;
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkDuration('time difference', timeDifferenceMs, false);
    checkDuration('grace period', graceMs, true);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }
}

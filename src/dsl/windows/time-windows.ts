import { KStreamsError } from '../../errors.ts';
import { checkDuration } from './window-duration.ts';

/**
 * Fixed-size windows by record time (Kafka Streams' TimeWindows): tumbling when they advance by their
 * size (the default), hopping when they advance by less, so a record falls into `size / advance` windows.
 * Windows are aligned to the epoch: `[start, start + size)` with `start % advance === 0`. A record is
 * dropped as late when its window's end + grace is at or before stream time.
 *
 * @example
 * stream.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000).advanceBy(15_000)).count();
 */
export class TimeWindows {
  readonly kind = 'time';
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    this.sizeMs = sizeMs;
    this.advanceMs = advanceMs;
    this.graceMs = graceMs;
  }

  /** Tumbling windows of `sizeMs` that close as soon as stream time reaches their end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until stream time passes end + grace. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkDuration('window size', sizeMs, false);
    checkDuration('grace period', graceMs, true);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkDuration('window advance', advanceMs, false);
    if (advanceMs > this.sizeMs) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        `The window advance (${advanceMs} ms) is larger than the window size (${this.sizeMs} ms).`,
        { hint: 'Advance by at most the window size; records between windows would belong to none.' },
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The starts of the windows containing `timestamp`, oldest first. */
  windowStartsFor(timestamp: number): number[] {
    const first = Math.max(0, timestamp - this.sizeMs + this.advanceMs);
    const starts: number[] = [];
    for (let start = first - (first % this.advanceMs); start <= timestamp; start += this.advanceMs) {
      starts.push(start);
    }
    return starts;
  }
}

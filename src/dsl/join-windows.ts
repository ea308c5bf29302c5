import { KStreamsError } from '../errors.ts';

/**
 * How far apart in time two records may be to join in a KStream-KStream join (Kafka Streams' JoinWindows):
 * a left record at `t` joins right records in `[t - beforeMs, t + afterMs]`. `graceMs` is how long after a
 * window closes (by stream time) out-of-order records are still accepted; later ones are dropped. Immutable:
 * `before` and `after` return new windows.
 *
 * @example
 * JoinWindows.ofTimeDifferenceAndGrace(5 * 60_000, 60_000).after(0) // right records up to 5 minutes earlier
 */
export class JoinWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;

  private constructor(beforeMs: number, afterMs: number, graceMs: number) {
    if (beforeMs + afterMs < 0) {
      throw windowsInvalid(
        `Join windows with before ${beforeMs} ms and after ${afterMs} ms are empty.`,
        'Keep beforeMs + afterMs >= 0: a window must contain at least the record itself.',
      );
    }
    this.beforeMs = beforeMs;
    this.afterMs = afterMs;
    this.graceMs = graceMs;
  }

  /** Records at most `timeDifferenceMs` apart join; out-of-order records are accepted until their window closes. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Records at most `timeDifferenceMs` apart join; out-of-order records are accepted `graceMs` after close. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    assertMillis('timeDifferenceMs', timeDifferenceMs);
    assertMillis('graceMs', graceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Right records up to `timeDifferenceMs` before the left record join it (may be negative, as in Kafka Streams). */
  before(timeDifferenceMs: number): JoinWindows {
    assertWholeMillis('before', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, this.afterMs, this.graceMs);
  }

  /** Right records up to `timeDifferenceMs` after the left record join it (may be negative, as in Kafka Streams). */
  after(timeDifferenceMs: number): JoinWindows {
    assertWholeMillis('after', timeDifferenceMs);
    return new JoinWindows(this.beforeMs, timeDifferenceMs, this.graceMs);
  }

  /** The span of one window: what each side's buffer store keeps, plus the grace period. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }
}

function assertMillis(option: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw windowsInvalid(
      `JoinWindows was given ${option} ${value}.`,
      `Give ${option} as a non-negative whole number of milliseconds.`,
    );
  }
}

function assertWholeMillis(option: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw windowsInvalid(`JoinWindows.${option} was given ${value}.`, 'Give a whole number of milliseconds.');
  }
}

function windowsInvalid(message: string, hint: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint });
}

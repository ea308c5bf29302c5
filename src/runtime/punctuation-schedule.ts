import type { Cancellable, PunctuationType, Punctuator } from '../processor/processor-context.ts';

interface Schedule {
  readonly intervalMs: number;
  readonly punctuator: Punctuator;
  /** Fires when the clock reaches this; undefined until the first stream time is known. */
  next: number | undefined;
  cancelled: boolean;
}

/**
 * A task's punctuators of one time kind. A punctuator fires once when its time is reached, even if the
 * clock jumped over several intervals (as in Kafka Streams), then waits for the next interval boundary
 * after the current time.
 */
export class PunctuationSchedule {
  readonly type: PunctuationType;
  readonly #schedules: Schedule[] = [];
  // Checked after every record: kept as a count rather than computed.
  #active = 0;

  constructor(type: PunctuationType) {
    this.type = type;
  }

  /** `now` is the current time of this kind, or -1 when no stream time is known yet. */
  add(intervalMs: number, punctuator: Punctuator, now: number): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`Punctuation interval must be at least 1 ms, got ${intervalMs}.`);
    const schedule: Schedule = {
      intervalMs,
      punctuator,
      next: now < 0 ? undefined : now + intervalMs,
      cancelled: false,
    };
    this.#schedules.push(schedule);
    this.#active++;
    return {
      cancel: () => {
        if (schedule.cancelled) return;
        schedule.cancelled = true;
        this.#active--;
      },
    };
  }

  /** Runs every punctuator whose time has come; returns how many ran. */
  punctuate(now: number): number {
    let fired = 0;
    for (const schedule of this.#schedules) {
      if (schedule.cancelled) continue;
      // The first record under stream time starts the clock: fire at once, as Kafka Streams does.
      if (schedule.next === undefined) schedule.next = now;
      if (now < schedule.next) continue;
      const missed = Math.floor((now - schedule.next) / schedule.intervalMs);
      schedule.next += (missed + 1) * schedule.intervalMs;
      fired++;
      schedule.punctuator(now);
    }
    if (fired > 0) this.#removeCancelled();
    return fired;
  }

  get size(): number {
    return this.#active;
  }

  #removeCancelled(): void {
    for (let i = this.#schedules.length - 1; i >= 0; i--)
      if (this.#schedules[i]!.cancelled) this.#schedules.splice(i, 1);
  }
}

import type { Serde } from '../../serdes/serde.ts';
import type { Windowed } from '../../serdes/windowed.ts';

/** What `suppress(untilWindowCloses)` needs to know about the windowed aggregation behind a table. */
export interface WindowedTableInfo {
  /** How long after a window's end it closes: grace (time windows) or inactivity gap + grace (sessions). */
  readonly closeAfterMs: number;
  /** The windowed key serde for this kind of window around an inner key serde. */
  readonly windowedSerde: (inner: Serde<unknown>) => Serde<Windowed<unknown>>;
}

import { KStreamsError } from '../../errors.ts';

/**
 * What `KTable.suppress` holds back (Kafka Streams' Suppressed). `untilWindowCloses` keeps each window's
 * latest result until stream time passes the window's end + grace, then forwards it once: final results
 * only. The buffer is a logged store, so buffered results survive a restart.
 */
export interface Suppressed {
  readonly type: 'until-window-closes';
  /** Names the processor (`<name>`) and its buffer store (`<name>-store`); generated when absent. */
  readonly name: string | undefined;
  /** Most windows the buffer may hold; beyond it the task fails (Kafka's shutDownWhenFull). */
  readonly maxRecords: number;
  /** Whether the buffer store writes a changelog (default true; false loses buffered results on restart). */
  readonly logging: boolean;
}

/** The suppression buffer's bounds (Kafka Streams' BufferConfig): unbounded and logged by default. */
export interface BufferConfig {
  /** Windows the buffer may hold at once; one more fails the task rather than emit early. */
  readonly maxRecords?: number;
  /** Default true: the buffer has a changelog and survives restarts. */
  readonly logging?: boolean;
}

function checkMaxRecords(maxRecords: number | undefined): number {
  if (maxRecords === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(maxRecords) || maxRecords <= 0) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `The suppression buffer's maxRecords must be a positive integer, got ${maxRecords}.`,
      {
        hint: 'Leave maxRecords out for an unbounded buffer, or give the most windows that may wait at once.',
      },
    );
  }
  return maxRecords;
}

export const Suppressed = {
  /**
   * Final results of a windowed table.
   *
   * @example
   * counts.suppress(Suppressed.untilWindowCloses({ maxRecords: 10_000 }, 'final-counts')).toStream().to('finals');
   */
  untilWindowCloses: (buffer: BufferConfig = {}, name?: string): Suppressed => ({
    type: 'until-window-closes',
    name,
    maxRecords: checkMaxRecords(buffer.maxRecords),
    logging: buffer.logging ?? true,
  }),
} as const;

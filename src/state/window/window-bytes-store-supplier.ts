import { KStreamsError } from '../../errors.ts';
import type { BytesStore } from '../bytes-store.ts';
import type { StoreContext } from '../store-context.ts';
import { defaultSegmentInterval } from './segmented-bytes-layer.ts';

export interface WindowStoreOptions {
  /** How long windows are kept, in stream time: a window expires once stream time passes start + retentionMs. */
  readonly retentionMs: number;
  /** The window size: a window ends at start + windowSizeMs. */
  readonly windowSizeMs: number;
  /** Keep every value put for a key and window start (stream-stream join buffers). Default false. */
  readonly retainDuplicates?: boolean;
}

/**
 * Names a window store, gives its retention and window size, and opens its bytes store for one task
 * (Kafka Streams' WindowBytesStoreSupplier).
 */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** The time span of one segment, the unit in which retention deletes data. */
  readonly segmentIntervalMs: number;
  get(context: StoreContext): BytesStore;
}

export function windowBytesStoreSupplier(
  name: string,
  persistent: boolean,
  options: WindowStoreOptions,
): WindowBytesStoreSupplier {
  const { retentionMs, windowSizeMs } = options;
  assertDuration(name, 'windowSizeMs', windowSizeMs);
  assertDuration(name, 'retentionMs', retentionMs);
  if (retentionMs < windowSizeMs) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `The window store "${name}" keeps windows for ${retentionMs} ms, less than their size of ${windowSizeMs} ms.`,
      { hint: 'Give a retentionMs of at least windowSizeMs (plus the grace period, for windowed aggregations).' },
    );
  }
  return {
    name,
    persistent,
    retentionMs,
    windowSizeMs,
    retainDuplicates: options.retainDuplicates ?? false,
    segmentIntervalMs: defaultSegmentInterval(retentionMs),
    get: (context) => context.openBytesStore(name, persistent),
  };
}

/** Refuses a duration that is not a positive whole number of milliseconds. */
export function assertDuration(store: string, option: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new KStreamsError('CONFIG_INVALID', `The store "${store}" was given ${option} ${value}.`, {
      hint: `Give ${option} as a positive whole number of milliseconds.`,
    });
  }
}

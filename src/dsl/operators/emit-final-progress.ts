import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';

const KEY = 'emitted-up-to';

/** The progress store of the aggregation whose window store is `storeName`. */
export function emitProgressStoreName(storeName: string): string {
  return `${storeName}-emit-progress`;
}

/**
 * How far a windowed aggregation with `EmitStrategy.onWindowClose()` has forwarded final results, kept in
 * a small logged store so a restart neither repeats nor skips windows (Kafka Streams keeps it in the
 * commit's processor metadata). Read at the first use, after the task has restored its stores.
 */
export class EmitFinalProgress {
  readonly #storeName: string;
  #store: KeyValueStore<string, number> | undefined;
  #upTo: number | undefined;

  constructor(storeName: string) {
    this.#storeName = storeName;
  }

  init(context: Pick<ProcessorContext<unknown, unknown>, 'getStateStore'>): void {
    this.#store = context.getStateStore<KeyValueStore<string, number>>(this.#storeName);
  }

  /** The close time (or last session end) up to which windows were forwarded; -1 before any. */
  get upTo(): number {
    this.#upTo ??= this.#store?.get(KEY) ?? -1;
    return this.#upTo;
  }

  set upTo(time: number) {
    this.#upTo = time;
    this.#store?.put(KEY, time);
  }
}

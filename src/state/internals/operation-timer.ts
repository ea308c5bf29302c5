import type { StoreMetrics, StoreOperation } from '../store-metrics.ts';

/** Times store operations when metrics are given; scans are timed until their iterator exists. */
export class OperationTimer {
  readonly #store: string;
  readonly #metrics: StoreMetrics | undefined;

  constructor(store: string, metrics: StoreMetrics | undefined) {
    this.#store = store;
    this.#metrics = metrics;
  }

  time<T>(operation: StoreOperation, run: () => T): T {
    if (this.#metrics === undefined) return run();
    const started = process.hrtime.bigint();
    try {
      return run();
    } finally {
      this.#metrics.recordOperation(this.#store, operation, Number(process.hrtime.bigint() - started));
    }
  }

  async timeAsync(operation: StoreOperation, run: () => Promise<void>): Promise<void> {
    if (this.#metrics === undefined) return run();
    const started = process.hrtime.bigint();
    try {
      await run();
    } finally {
      this.#metrics.recordOperation(this.#store, operation, Number(process.hrtime.bigint() - started));
    }
  }
}

import type { Subscription } from 'rxjs';
import type { StoreQueries } from './store-queries.ts';

/** How a wait ended: the value that satisfied it, a timeout, or a release (the key's task moved away). */
export type WaitOutcome =
  | { readonly kind: 'satisfied'; readonly value: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'released'; readonly reason: string };

interface Waiter {
  readonly store: string;
  readonly key: unknown;
  readonly test: (value: unknown) => boolean;
  readonly finish: (outcome: WaitOutcome) => void;
}

/**
 * Long-poll waiters for many keys of many stores: one subscription per store to its change stream, and
 * the waiters of each key in a set, so an update costs one map lookup however many keys are waited on.
 * Waiters are registered before the current value is read, so an update between the two is not missed.
 */
export class KeyWaiters {
  readonly #queries: StoreQueries;
  readonly #byStore = new Map<string, { subscription: Subscription; byKey: Map<string, Set<Waiter>> }>();
  readonly #ownership: Subscription;
  #count = 0;

  constructor(queries: StoreQueries) {
    this.#queries = queries;
    this.#ownership = queries.ownershipChanges$.subscribe(() => this.#recheckOwnership());
  }

  /** Waiters now pending, over every store. */
  get size(): number {
    return this.#count;
  }

  /**
   * Resolves when `test` holds for the key's value (checked now, then on every change), on timeout, or
   * when the key's task leaves this instance. `signal` aborts the wait (the client went away).
   */
  wait(
    store: string,
    key: unknown,
    test: (value: unknown) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<WaitOutcome> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        store,
        key,
        test,
        finish: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.#remove(waiter);
          resolve(outcome);
        },
      };
      const onAbort = () => waiter.finish({ kind: 'released', reason: 'The request was aborted.' });
      this.#add(waiter);
      try {
        const current = this.#queries.get(store, key);
        if (current.found && test(current.value)) {
          waiter.finish({ kind: 'satisfied', value: current.value });
          return;
        }
      } catch (error) {
        this.#remove(waiter);
        reject(error);
        return;
      }
      timer = setTimeout(() => waiter.finish({ kind: 'timeout' }), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.#ownership.unsubscribe();
    for (const { subscription, byKey } of this.#byStore.values()) {
      subscription.unsubscribe();
      for (const waiters of byKey.values()) {
        for (const waiter of [...waiters]) waiter.finish({ kind: 'released', reason: 'The server is closing.' });
      }
    }
    this.#byStore.clear();
  }

  #add(waiter: Waiter): void {
    let entry = this.#byStore.get(waiter.store);
    if (entry === undefined) {
      const byKey = new Map<string, Set<Waiter>>();
      const subscription = this.#queries.changes(waiter.store).subscribe((change) => {
        const waiters = byKey.get(keyId(change.key));
        if (waiters === undefined) return;
        for (const candidate of [...waiters]) {
          if (change.value !== null && candidate.test(change.value)) {
            candidate.finish({ kind: 'satisfied', value: change.value });
          }
        }
      });
      entry = { subscription, byKey };
      this.#byStore.set(waiter.store, entry);
    }
    const id = keyId(waiter.key);
    let waiters = entry.byKey.get(id);
    if (waiters === undefined) {
      waiters = new Set();
      entry.byKey.set(id, waiters);
    }
    waiters.add(waiter);
    this.#count++;
  }

  #remove(waiter: Waiter): void {
    const entry = this.#byStore.get(waiter.store);
    const id = keyId(waiter.key);
    const waiters = entry?.byKey.get(id);
    if (waiters?.delete(waiter) !== true) return;
    this.#count--;
    if (waiters.size === 0) entry?.byKey.delete(id);
  }

  #recheckOwnership(): void {
    for (const { byKey } of this.#byStore.values()) {
      for (const waiters of byKey.values()) {
        for (const waiter of [...waiters]) {
          const owner = this.#queries.ownerOf(waiter.store, waiter.key);
          if (owner.kind !== 'local') {
            waiter.finish({ kind: 'released', reason: 'The key moved to another instance during the wait.' });
          }
        }
      }
    }
  }
}

/** Keys compare by value: strings and numbers as themselves, structured keys by their JSON. */
function keyId(key: unknown): string {
  return typeof key === 'string' ? `s:${key}` : `j:${JSON.stringify(key)}`;
}

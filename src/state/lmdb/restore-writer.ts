import { Worker } from 'node:worker_threads';
import type { PackedWrites } from '../packed-writes.ts';

/** A message to the restore writer's worker. */
export type RestoreWriteRequest =
  | {
      readonly kind: 'write';
      readonly id: number;
      /** The task's LMDB environment directory. */
      readonly path: string;
      readonly database: string;
      /** `count` writes laid out as `PackedWrites` (packed-writes.ts); the worker fills the spare byte. */
      readonly data: ArrayBuffer;
      readonly count: number;
      /** The store's key in the offsets database, and its offset encoded as stored (null: no offset). */
      readonly offsetKey: Uint8Array;
      readonly offset: Uint8Array | null;
      /** Wait for the disk sync; the worker then closes the environment once nothing else writes to it. */
      readonly durable: boolean;
    }
  | { readonly kind: 'release'; readonly id: number; readonly path: string };

export interface RestoreWriteReply {
  readonly id: number;
  readonly error?: string;
}

/** One write batch for `RestoreWriter.write`. */
export interface RestoreBatch {
  readonly path: string;
  readonly database: string;
  readonly writes: PackedWrites;
  readonly offsetKey: Buffer;
  readonly offset: Buffer | null;
  readonly durable: boolean;
}

/**
 * Writes restoration batches from a worker thread. Restoring is the one place where the event loop would
 * otherwise spend most of its time inside lmdb-js: about 0.7 us per put for 1M puts, plus the garbage
 * of a stored-key buffer per record. Here the event loop only transfers each packed batch; the worker, sharing the process's LMDB environments (lmdb-js supports that), puts the
 * writes in order, the offset last. One worker per process, created on first use; it does not keep the
 * process alive.
 */
export class RestoreWriter {
  static #shared: RestoreWriter | undefined;

  /** The process's writer. */
  static shared(): RestoreWriter {
    RestoreWriter.#shared ??= new RestoreWriter();
    return RestoreWriter.#shared;
  }

  /** Whether the process's writer exists (so environments know whether to release theirs). */
  static started(): boolean {
    const shared = RestoreWriter.#shared;
    return shared !== undefined && shared.#worker !== undefined;
  }

  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  /** Applies the writes in order, then the offset; resolves once written (and synced when durable). */
  write(batch: RestoreBatch): Promise<void> {
    const { data, count } = batch.writes;
    return this.#request(
      {
        kind: 'write',
        id: this.#nextId++,
        path: batch.path,
        database: batch.database,
        data,
        count,
        offsetKey: batch.offsetKey,
        offset: batch.offset,
        durable: batch.durable,
      },
      [data],
    );
  }

  /** Closes the worker's handle on the environment at `path` (before the event loop's thread closes it). */
  release(path: string): Promise<void> {
    if (this.#worker === undefined) return Promise.resolve();
    return this.#request({ kind: 'release', id: this.#nextId++, path }, []);
  }

  #request(request: RestoreWriteRequest, transfer: ArrayBuffer[]): Promise<void> {
    const worker = this.#start();
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      // Kept alive only while a request waits for its answer.
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage(request, transfer);
    });
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./restore-write-worker.ts', import.meta.url));
    worker.unref();
    worker.on('message', (reply: RestoreWriteReply) => {
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.error === undefined) pending.resolve();
      else pending.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the restore writer's worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

import type { RangeOptions } from 'lmdb';
import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite, CommitOptions } from '../bytes-store.ts';
import { type PackedWrites, packWrites, restoreWritesOf } from '../packed-writes.ts';
import { lmdbError } from './lmdb-errors.ts';
import { storeDatabase, storedKeyPrefix } from './lmdb-open-options.ts';
import type { BinaryDatabase, LmdbTaskEnvironment } from './lmdb-task-environment.ts';
import { RestoreWriter } from './restore-writer.ts';

/**
 * A bytes store in one named database of its task's LMDB environment.
 *
 * Stored keys are the key bytes behind a 0x00 format byte: LMDB refuses empty keys, Kafka Streams does not,
 * and a common first byte keeps the order of the key bytes. Keys may thus be up to 1977 bytes long.
 *
 * Durability: commit() resolves after LMDB's `flushed`, i.e. after fdatasync of the transaction (lmdb-js
 * defaults: noSync off, overlapping sync on outside Windows). A process crash loses nothing acknowledged,
 * nor a power loss, provided the disk honours fdatasync; a commit still pending at that moment is lost
 * as a whole (never half), and restoration from the changelog replays it. A commit with `durable: false`
 * (restoration batches) resolves before the sync: a power loss may undo it, again as a whole.
 */
export class LmdbBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent = true;
  readonly #environment: LmdbTaskEnvironment;
  readonly #data: BinaryDatabase;
  readonly #offsetKey: Buffer;
  readonly #maxKeyLength: number;
  // Unfinished iterators hold LMDB cursors; close() ends them before the environment closes.
  readonly #iterators = new Set<Generator<BytesEntry>>();
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(name: string, environment: LmdbTaskEnvironment, data: BinaryDatabase) {
    this.name = name;
    this.#environment = environment;
    this.#data = data;
    this.#offsetKey = Buffer.from(name, 'utf8');
    this.#maxKeyLength = (data as unknown as { maxKeySize: number }).maxKeySize - 1;
  }

  get(key: Buffer): Buffer | undefined {
    this.#assertOpen();
    try {
      return this.#data.get(storedKey(key));
    } catch (error) {
      throw lmdbError(this.#environment.path, `read store "${this.name}"`, error);
    }
  }

  range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    this.#assertOpen();
    const lower = range.from === undefined ? keyPrefix : storedKey(range.from);
    const upper = range.to === undefined ? afterAllKeys : storedKey(range.to);
    if (Buffer.compare(lower, upper) >= 0) return [][Symbol.iterator]();
    const limit = range.limit === undefined ? {} : { limit: range.limit };
    // lmdb-js bounds run in iteration order: a reverse scan starts at the (exclusive) upper bound.
    const options =
      range.reverse === true
        ? { start: upper, end: lower, reverse: true, exclusiveStart: true, inclusiveEnd: true, ...limit }
        : { start: lower, end: upper, ...limit };
    return this.#track(this.#scan(options, undefined));
  }

  prefixScan(prefix: Buffer): IterableIterator<BytesEntry> {
    this.#assertOpen();
    const start = storedKey(prefix);
    return this.#track(this.#scan({ start, end: afterAllKeys }, start));
  }

  approximateCount(): number {
    this.#assertOpen();
    try {
      return (this.#data.getStats() as { entryCount: number }).entryCount;
    } catch (error) {
      throw lmdbError(this.#environment.path, `count store "${this.name}"`, error);
    }
  }

  async commit(writes: readonly BytesWrite[], changelogOffset?: number, options: CommitOptions = {}): Promise<void> {
    this.#assertOpen();
    assertOffset(this.name, changelogOffset);
    if (options.atomic === false)
      return this.#writeInOrder(packWrites(writes), changelogOffset, options.durable ?? true);
    // Checked before the transaction: an oversized key fails the commit without touching the store.
    for (const write of writes) this.#checkKey(write.key);
    return this.#transact(
      `commit to store "${this.name}"`,
      () => {
        for (const write of writes) {
          if (write.value === null) this.#data.remove(storedKey(write.key));
          else this.#data.put(storedKey(write.key), write.value);
        }
        if (changelogOffset !== undefined)
          this.#environment.offsets.put(this.#offsetKey, encodeOffset(changelogOffset));
      },
      options.durable ?? true,
    );
  }

  async restorePacked(packed: PackedWrites, changelogOffset: number, options: CommitOptions = {}): Promise<void> {
    this.#assertOpen();
    assertOffset(this.name, changelogOffset);
    return this.#writeInOrder(packed, changelogOffset, options.durable ?? true);
  }

  /**
   * Restoration's writes, through the restore writer's worker thread: the event loop only hands over the
   * packed batch (see RestoreWriter). Written in order with the offset last, so the offset never runs
   * ahead of the data.
   */
  #writeInOrder(packed: PackedWrites, changelogOffset: number | undefined, durable: boolean): Promise<void> {
    // An oversized key fails the batch before anything is written.
    if (packed.longestKey > this.#maxKeyLength) {
      throw this.#keyTooLong(restoreWritesOf(packed).find((w) => w.key.length > this.#maxKeyLength)!.key);
    }
    return this.#run(
      `write to store "${this.name}"`,
      async () => {
        await RestoreWriter.shared().write({
          path: this.#environment.path,
          database: storeDatabase(this.name),
          writes: packed,
          offsetKey: this.#offsetKey,
          offset: changelogOffset === undefined ? null : encodeOffset(changelogOffset),
          durable,
        });
        // Written by another thread: this thread's read snapshot would not see it until its next renewal.
        this.#environment.root.resetReadTxn();
      },
      false,
    );
  }

  changelogOffset(): number | undefined {
    this.#assertOpen();
    try {
      const stored = this.#environment.offsets.get(this.#offsetKey);
      return stored === undefined ? undefined : Number(stored.readBigUInt64BE(0));
    } catch (error) {
      throw lmdbError(this.#environment.path, `read the changelog offset of store "${this.name}"`, error);
    }
  }

  async clear(): Promise<void> {
    this.#assertOpen();
    return this.#transact(
      `clear store "${this.name}"`,
      () => {
        this.#data.clearSync();
        this.#environment.offsets.remove(this.#offsetKey);
      },
      true,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const iterator of this.#iterators) iterator.return(undefined);
    await Promise.allSettled([...this.#pending]);
    await this.#environment.release(this.name);
  }

  /** Runs `write` in a child transaction: it aborts as a whole if anything in it throws. */
  #transact(action: string, write: () => void, durable: boolean): Promise<void> {
    return this.#run(action, () => this.#environment.root.childTransaction(write), durable);
  }

  async #run(action: string, apply: () => Promise<unknown>, durable: boolean): Promise<void> {
    const done = (async () => {
      try {
        await apply();
        if (durable) await this.#environment.root.flushed;
      } catch (error) {
        throw lmdbError(this.#environment.path, action, error);
      }
    })();
    this.#pending.add(done);
    try {
      await done;
    } finally {
      this.#pending.delete(done);
    }
  }

  *#scan(options: RangeOptions, prefix: Buffer | undefined): Generator<BytesEntry> {
    try {
      for (const { key, value } of this.#data.getRange(options)) {
        if (prefix !== undefined && !startsWith(key, prefix)) return;
        yield { key: key.subarray(keyPrefix.length), value };
      }
    } catch (error) {
      throw lmdbError(this.#environment.path, `scan store "${this.name}"`, error);
    }
  }

  #track(iterator: Generator<BytesEntry>): Generator<BytesEntry> {
    const iterators = this.#iterators;
    iterators.add(iterator);
    return (function* trackedScan() {
      try {
        yield* iterator;
      } finally {
        iterators.delete(iterator);
      }
    })();
  }

  #checkKey(key: Buffer): void {
    if (key.length > this.#maxKeyLength) throw this.#keyTooLong(key);
  }

  #keyTooLong(key: Buffer): KStreamsError {
    return new KStreamsError(
      'STATE_STORE_FAILED',
      `A key of ${key.length} bytes cannot be stored in the LMDB store "${this.name}" (at most ${this.#maxKeyLength}).`,
      { hint: 'Use shorter keys (for example a hash of a long key) for this store.' },
    );
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new KStreamsError('ILLEGAL_STATE', `The LMDB store "${this.name}" is closed.`, {
        hint: 'Open the store again; a closed store cannot be used.',
      });
    }
  }
}

const keyPrefix = Buffer.from([storedKeyPrefix]);
// Every stored key starts with 0x00, so [0x01] lies after all of them.
const afterAllKeys = Buffer.from([0x01]);

function storedKey(key: Buffer): Buffer {
  const stored = Buffer.allocUnsafe(key.length + 1);
  stored[0] = storedKeyPrefix;
  key.copy(stored, 1);
  return stored;
}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function encodeOffset(offset: number): Buffer {
  const encoded = Buffer.alloc(8);
  encoded.writeBigUInt64BE(BigInt(offset));
  return encoded;
}

function assertOffset(store: string, offset: number | undefined): void {
  if (offset !== undefined && !(Number.isSafeInteger(offset) && offset >= 0)) {
    throw new KStreamsError('ILLEGAL_STATE', `Store "${store}" was given the changelog offset ${offset}.`, {
      hint: 'Pass the next changelog offset as a non-negative integer, or omit it.',
    });
  }
}

import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { KStreamsError } from '../../errors.ts';
import { corruptStoreError, isLmdbCorruption, lmdbError } from './lmdb-errors.ts';
import { checkLmdbDataFile } from './lmdb-file-check.ts';
import { databaseOptions, environmentOptions, offsetsDatabase, storeDatabase } from './lmdb-open-options.ts';
import { RestoreWriter } from './restore-writer.ts';
import { lmdbDirectory, type TaskStateLocation, taskDirectory } from './state-directory-layout.ts';

export type BinaryDatabase = Database<Buffer, Buffer>;

export interface LmdbEnvironmentOptions extends TaskStateLocation {
  /** On a corrupt LMDB file: throw STATE_STORE_CORRUPT (default), or wipe the task directory and start empty. */
  readonly onCorrupt?: 'throw' | 'wipe';
  /** Initial map size in bytes (default: lmdb-js's 128 KiB); the map grows as data is written. */
  readonly initialMapSize?: number;
  /** How long closing may take before close() rejects (default 10 s). */
  readonly closeTimeoutMs?: number;
}

// One environment per task directory, shared by the task's stores and closed with the last of them.
const openEnvironments = new Map<string, LmdbTaskEnvironment>();

/**
 * The LMDB environment of one task (`<stateDir>/<applicationId>/<taskId>/lmdb/`): one named database per
 * store and one `changelog-offsets` database holding each store's offset, so a commit writes data and
 * offset in one LMDB transaction.
 */
export class LmdbTaskEnvironment {
  readonly path: string;
  readonly root: RootDatabase<Buffer, Buffer>;
  readonly offsets: BinaryDatabase;
  readonly #stores = new Set<string>();
  readonly #closeTimeoutMs: number;

  private constructor(path: string, root: RootDatabase<Buffer, Buffer>, closeTimeoutMs: number) {
    this.path = path;
    this.root = root;
    this.#closeTimeoutMs = closeTimeoutMs;
    this.offsets = root.openDB({ name: offsetsDatabase, ...databaseOptions });
  }

  /** Opens (or joins) the task's environment and its database for `storeName`. */
  static acquire(
    options: LmdbEnvironmentOptions,
    storeName: string,
  ): { environment: LmdbTaskEnvironment; data: BinaryDatabase } {
    const path = lmdbDirectory(options);
    let environment = openEnvironments.get(path);
    if (environment === undefined) {
      environment = LmdbTaskEnvironment.#openChecked(options, path);
      openEnvironments.set(path, environment);
    }
    if (environment.#stores.has(storeName)) {
      throw new KStreamsError('ILLEGAL_STATE', `The store "${storeName}" is already open in ${path}.`, {
        hint: 'Close the open store first; each task opens each of its stores once.',
      });
    }
    try {
      const data = environment.root.openDB({ name: storeDatabase(storeName), ...databaseOptions });
      environment.#stores.add(storeName);
      return { environment, data };
    } catch (error) {
      if (environment.#stores.size === 0) void environment.#close().catch(() => undefined);
      throw lmdbError(path, `open the store "${storeName}"`, error);
    }
  }

  /** Called by a store's close(): the environment closes with its last store, bounded by a timeout. */
  async release(storeName: string): Promise<void> {
    if (!this.#stores.delete(storeName) || this.#stores.size > 0) return;
    await this.#close();
  }

  async #close(): Promise<void> {
    if (openEnvironments.get(this.path) === this) openEnvironments.delete(this.path);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new KStreamsError(
            'STATE_STORE_FAILED',
            `The LMDB environment ${this.path} did not close within ${this.#closeTimeoutMs} ms.`,
            {
              hint: 'Committed data is safe; the process may exit. Report this if it repeats.',
            },
          ),
        );
      }, this.#closeTimeoutMs);
      timer.unref();
    });
    try {
      // The restore writer's worker lets go of the environment first.
      const closing = (async () => {
        if (RestoreWriter.started()) await RestoreWriter.shared().release(this.path);
        await this.root.close();
      })();
      await Promise.race([closing, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  static #openChecked(options: LmdbEnvironmentOptions, path: string): LmdbTaskEnvironment {
    const wipe = options.onCorrupt === 'wipe';
    const problem = checkBeforeOpen(path);
    if (problem !== undefined) {
      if (!wipe) throw corruptStoreError(path, `data.mdb ${problem}`);
      rmSync(taskDirectory(options), { recursive: true, force: true });
      mkdirSync(path, { recursive: true });
    }
    try {
      return LmdbTaskEnvironment.#open(options, path);
    } catch (error) {
      if (!(wipe && isLmdbCorruption(error))) throw lmdbError(path, 'open the environment', error);
      rmSync(taskDirectory(options), { recursive: true, force: true });
      mkdirSync(path, { recursive: true });
      return LmdbTaskEnvironment.#open(options, path);
    }
  }

  static #open(options: LmdbEnvironmentOptions, path: string): LmdbTaskEnvironment {
    // Defaults kept on purpose: noSync false and, off Windows, overlappingSync, so a commit is durable
    // once `flushed` resolves while the flush itself runs off the event loop.
    const root = open<Buffer, Buffer>({
      path,
      ...environmentOptions,
      ...(options.initialMapSize === undefined ? {} : { mapSize: options.initialMapSize }),
    });
    try {
      return new LmdbTaskEnvironment(path, root, options.closeTimeoutMs ?? 10_000);
    } catch (error) {
      void root.close().catch(() => undefined);
      throw error;
    }
  }

  static isOpenUnder(directory: string): boolean {
    const prefix = directory.endsWith(sep) ? directory : directory + sep;
    return [...openEnvironments.keys()].some((path) => path.startsWith(prefix));
  }
}

// lmdb-js crashes the process when LMDB refuses to open an environment, so anything LMDB would refuse
// must be caught here first: unreadable paths and damaged meta pages.
function checkBeforeOpen(path: string): string | undefined {
  mkdirSync(path, { recursive: true });
  for (const file of [path, join(path, 'data.mdb'), join(path, 'lock.mdb')]) {
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new KStreamsError('STATE_STORE_FAILED', `The LMDB state at ${file} is not readable and writable.`, {
        hint: 'Give the process read and write access to its stateDir.',
        cause: error,
      });
    }
  }
  return checkLmdbDataFile(join(path, 'data.mdb'));
}

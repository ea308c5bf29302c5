// How every thread opens a task's LMDB environment and its databases. The restore writer's worker opens
// the same environments as the event loop's thread, so both must agree. Kept free of runtime imports: the
// worker loads this file directly.

/** Environment options (besides the path and an initial map size). */
export const environmentOptions = { maxDbs: 128, encoding: 'binary', keyEncoding: 'binary' } as const;

/** Options of every named database: keys and values are raw bytes. */
export const databaseOptions = { encoding: 'binary', keyEncoding: 'binary' } as const;

/** The database holding each store's changelog offset, keyed by store name. */
export const offsetsDatabase = 'changelog-offsets';

/** The database of a store's data. */
export function storeDatabase(storeName: string): string {
  return `store:${storeName}`;
}

/** A stored key is the key bytes behind this format byte (LMDB refuses empty keys; see LmdbBytesStore). */
export const storedKeyPrefix = 0x00;

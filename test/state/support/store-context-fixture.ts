import { Serdes } from '../../../src/serdes/serdes.ts';
import type { BytesStore } from '../../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';
import type { RecordSource, StoreContext, StoreRecordContext } from '../../../src/state/store-context.ts';
import type { StoreOperation } from '../../../src/state/store-metrics.ts';

/** One changelog send, with key and value decoded as UTF-8 for readable assertions. */
export interface SentChangelogRecord {
  readonly store: string;
  readonly key: string;
  readonly value: string | null;
  readonly timestamp: number;
  readonly source?: RecordSource;
}

export interface StoreContextFixture {
  readonly context: StoreContext;
  /** Every bytes store the context opened, by store name. */
  readonly bytesStores: Map<string, BytesStore>;
  readonly changelog: SentChangelogRecord[];
  /** The same sends with their raw key and value bytes. */
  readonly changelogBytes: { key: Buffer; value: Buffer | null }[];
  readonly operations: StoreOperation[];
  commitRequests: number;
  /** Sets the record being processed (stamps changes). */
  processing(record: StoreRecordContext | undefined): void;
}

export interface StoreContextFixtureOptions {
  readonly logged?: boolean;
  readonly cacheMaxBytes?: number;
  /** Opens bytes stores; default: in memory, one per name, reused when reopened. */
  readonly openBytesStore?: (storeName: string, persistent: boolean) => BytesStore;
}

/** A StoreContext as a task gives it, recording what the stores send and request. */
export function storeContextFixture(options: StoreContextFixtureOptions = {}): StoreContextFixture {
  let current: StoreRecordContext | undefined = { timestamp: 1_000 };
  const fixture: StoreContextFixture = {
    bytesStores: new Map(),
    changelog: [],
    changelogBytes: [],
    operations: [],
    commitRequests: 0,
    processing: (record) => {
      current = record;
    },
    context: {
      applicationId: 'app',
      taskId: '0_1',
      partition: 1,
      stateDir: '/unused',
      openBytesStore: (storeName, persistent) => {
        const store =
          options.openBytesStore?.(storeName, persistent) ??
          fixture.bytesStores.get(storeName) ??
          new InMemoryBytesStore(storeName);
        fixture.bytesStores.set(storeName, store);
        return store;
      },
      ...(options.logged === false
        ? {}
        : {
            changelog: {
              send: (store, key, value, timestamp, source) => {
                fixture.changelogBytes.push({ key, value });
                fixture.changelog.push({
                  store,
                  key: key.toString(),
                  value: value === null ? null : value.toString(),
                  timestamp,
                  ...(source === undefined ? {} : { source }),
                });
              },
            },
          }),
      defaultKeySerde: Serdes.string(),
      defaultValueSerde: Serdes.string(),
      requestCommit: () => {
        fixture.commitRequests++;
      },
      recordContext: () => current,
      ...(options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes }),
      metrics: { recordOperation: (_store, operation) => fixture.operations.push(operation) },
    },
  };
  return fixture;
}

/** A bytes store's committed entries as `key=value` strings, in key order. */
export function committedEntries(store: BytesStore): string[] {
  return [...store.range()].map((entry) => `${entry.key.toString()}=${entry.value.toString()}`);
}

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { partitionForKey } from '../../src/kafka/murmur2.ts';
import {
  queryableKeyValueStore,
  queryableWindowStore,
  type StoreViewSource,
} from '../../src/runtime/queryable-stores.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { Stores } from '../../src/state/stores.ts';
import { storeContextFixture } from '../state/support/store-context-fixture.ts';

const str = Serdes.string();
const partitions = 3;
const partitionOf = (key: string) => partitionForKey(Buffer.from(key), partitions);

/** Three tasks' stores of sub-topology 1; task `restoring` (if any) is assigned but not restored. */
function source(stores: Map<string, StateStore>, restoring?: string): StoreViewSource {
  const restored = new Map([...stores].filter(([task]) => task !== restoring));
  return {
    localStores: () => restored,
    allLocalStores: () => stores,
    taskState: (task) => (task === restoring ? 'restoring' : restored.has(task) ? 'restored' : undefined),
    storeChanges$: () => new Subject(),
    storeLayout: () => ({ subtopology: 1, topic: 'orders', partitions }),
    defaultKeySerde: str as never,
    restoreRemaining: (_store, partition) => (`1_${partition}` === restoring ? 1_234 : 0),
  };
}

function keyValueTasks() {
  const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('orders'), str, Serdes.json<number>());
  const stores = new Map<string, StateStore>();
  const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  for (let p = 0; p < partitions; p++) {
    const store = builder.build(storeContextFixture().context);
    for (const key of keys.filter((k) => partitionOf(k) === p)) store.put(key, Number(key.slice(1)));
    stores.set(`1_${p}`, store);
  }
  return { builder, stores, keys };
}

describe('queryableKeyValueStore', () => {
  it("routes a key to its partition's task and ranges across tasks in stored-key order", () => {
    const { builder, stores, keys } = keyValueTasks();
    const view = queryableKeyValueStore<string, number>(source(stores), builder);
    for (const key of keys) expect(view.get(key)).toBe(Number(key.slice(1)));
    expect(view.get('absent')).toBeUndefined();
    expect(view.approximateNumEntries()).toBe(30);

    const page1 = view.range({ limit: 7 });
    expect(page1.map((e) => e.key)).toEqual(keys.slice(0, 7));
    const page2 = view.range({ limit: 7, afterKeyBytes: page1.at(-1)!.keyBytes });
    expect(page2.map((e) => e.key)).toEqual(keys.slice(7, 14));
    expect(view.range({ from: 'k05', to: 'k08', limit: 100 }).map((e) => e.key)).toEqual(['k05', 'k06', 'k07', 'k08']);
    expect(view.range({ prefix: 'k1', limit: 100 }).map((e) => e.key)).toEqual(keys.slice(10, 20));
  });

  it("refuses with a retriable error while the key's task restores, unless stale reads are asked for", () => {
    const { builder, stores, keys } = keyValueTasks();
    const key = keys.find((k) => partitionOf(k) === 2)!;
    const view = queryableKeyValueStore<string, number>(source(stores, '1_2'), builder);
    try {
      view.get(key);
      expect.unreachable();
    } catch (error) {
      expect(isKStreamsError(error, 'STORE_NOT_QUERYABLE')).toBe(true);
      expect((error as { retriable: boolean }).retriable).toBe(true);
      expect((error as Error).message).toContain('restoring');
    }
    expect(() => view.range({ limit: 10 })).toThrow(/restoring/);
    const stale = queryableKeyValueStore<string, number>(source(stores, '1_2'), builder, { staleReads: true });
    expect(stale.get(key)).toBe(Number(key.slice(1)));
    expect(stale.getWithLag(key)).toEqual({ value: Number(key.slice(1)), lag: 1_234 });
  });

  it('says when the key belongs to a task that runs elsewhere', () => {
    const { builder, stores, keys } = keyValueTasks();
    stores.delete('1_0');
    const key = keys.find((k) => partitionOf(k) === 0)!;
    expect(() => queryableKeyValueStore<string, number>(source(stores), builder).get(key)).toThrow(
      /does not run on this instance/,
    );
  });
});

describe('queryableWindowStore', () => {
  it("returns a key's windows in a time range with their ends", () => {
    const supplier = Stores.inMemoryWindowStore('clicks', { retentionMs: 600_000, windowSizeMs: 60_000 });
    const builder = Stores.windowStoreBuilder(supplier, str, Serdes.json<number>());
    const stores = new Map<string, StateStore>();
    for (let p = 0; p < partitions; p++) stores.set(`1_${p}`, builder.build(storeContextFixture().context));
    const store = stores.get(`1_${partitionOf('u1')}`) as ReturnType<typeof builder.build>;
    store.put('u1', 3, 0);
    store.put('u1', 1, 60_000);
    store.put('u1', 4, 120_000);
    const view = queryableWindowStore<string, number>(source(stores), builder);
    expect(view.kind).toBe('window');
    expect(view.fetch('u1', 30_000, 120_000)).toEqual([
      { startMs: 60_000, endMs: 120_000, value: 1 },
      { startMs: 120_000, endMs: 180_000, value: 4 },
    ]);
  });
});

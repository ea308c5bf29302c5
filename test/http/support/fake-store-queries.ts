import { Subject } from 'rxjs';
import { KStreamsError } from '../../../src/errors.ts';
import type {
  HostAddress,
  KeyLookup,
  KeyOwner,
  KeyValueEntry,
  QueryableStoreInfo,
  RangeQuery,
  StoreChange,
  StoreQueries,
  WindowEntry,
} from '../../../src/query/store-queries.ts';

/**
 * StoreQueries over plain maps: string keys sorted by their UTF-8 bytes, the instance owning the keys
 * whose `owns` returns true, a peer for the others. `restoring` makes every read fail as a restore would.
 */
export class FakeStoreQueries implements StoreQueries {
  readonly values = new Map<string, unknown>();
  readonly windowsByKey = new Map<string, WindowEntry[]>();
  readonly changes$ = new Subject<StoreChange>();
  readonly ownershipChanges$ = new Subject<void>();
  owns: (key: unknown) => boolean = () => true;
  peer: HostAddress | undefined;
  restoring = false;
  isLive = true;
  isReady = true;
  readonly storeList: QueryableStoreInfo[] = [
    { name: 'orders', kind: 'key-value', keyFormat: 'string' },
    { name: 'counts-by-id', kind: 'key-value', keyFormat: 'number' },
    { name: 'clicks', kind: 'window', keyFormat: 'string' },
  ];

  stores(): readonly QueryableStoreInfo[] {
    return this.storeList;
  }

  ownerOf(_store: string, key: unknown): KeyOwner {
    if (this.owns(key)) return { kind: 'local', partition: 0 };
    if (this.peer === undefined) return { kind: 'unavailable', reason: 'rebalancing' };
    return { kind: 'remote', partition: 1, address: this.peer };
  }

  peers(): readonly HostAddress[] {
    return this.peer === undefined ? [] : [this.peer];
  }

  get(_store: string, key: unknown): KeyLookup {
    this.#check();
    const id = String(key);
    return this.values.has(id) && this.owns(key) ? { found: true, value: this.values.get(id) } : { found: false };
  }

  range(_store: string, query: RangeQuery): readonly KeyValueEntry[] {
    this.#check();
    const after = query.after === undefined ? undefined : Buffer.from(query.after, 'base64url');
    return [...this.values.entries()]
      .filter(([key]) => this.owns(key))
      .map(([key, value]) => ({ key, value, position: Buffer.from(key).toString('base64url') }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
      .filter(({ key, position }) => {
        if (after !== undefined && Buffer.compare(Buffer.from(position, 'base64url'), after) <= 0) return false;
        if (query.prefix !== undefined && !key.startsWith(String(query.prefix))) return false;
        if (query.from !== undefined && key < String(query.from)) return false;
        if (query.to !== undefined && key > String(query.to)) return false;
        return true;
      })
      .slice(0, query.limit);
  }

  windows(_store: string, key: unknown, fromMs: number, toMs: number): readonly WindowEntry[] {
    this.#check();
    return (this.windowsByKey.get(String(key)) ?? []).filter((w) => w.startMs >= fromMs && w.startMs <= toMs);
  }

  changes(): Subject<StoreChange> {
    return this.changes$;
  }

  put(key: string, value: unknown): void {
    this.values.set(key, value);
    this.changes$.next({ key, value });
  }

  live(): boolean {
    return this.isLive;
  }

  ready(): boolean {
    return this.isReady;
  }

  topology() {
    return { text: 'Topologies:\n   Sub-topology: 0\n', mermaid: 'flowchart TD\n' };
  }

  async metrics() {
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: '# HELP kstreams_x x\n' };
  }

  #check(): void {
    if (this.restoring) {
      throw new KStreamsError('STORE_NOT_QUERYABLE', 'Store "orders" is restoring.', {
        hint: 'Retry when the task is running.',
        retriable: true,
      });
    }
  }
}

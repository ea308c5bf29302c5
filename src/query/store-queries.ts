import type { Observable } from 'rxjs';

/**
 * What the HTTP layer needs from an application to answer interactive queries. The runtime's stores,
 * its task -> host map and its change streams sit behind it, so the routes can be tested without Kafka.
 */
export interface StoreQueries {
  stores(): readonly QueryableStoreInfo[];
  /** Who owns the key's partition of the store now. */
  ownerOf(store: string, key: unknown): KeyOwner;
  /** Every instance other than this one that runs tasks of the store, for queries gathered across them. */
  peers(store: string): readonly HostAddress[];
  /** Throws STORE_NOT_QUERYABLE (retriable) while the key's task is restoring or migrating. */
  get(store: string, key: unknown): KeyLookup;
  /** Local entries in serialized-key order; throws STORE_NOT_QUERYABLE while a task is not queryable. */
  range(store: string, query: RangeQuery): readonly KeyValueEntry[];
  windows(store: string, key: unknown, fromMs: number, toMs: number): readonly WindowEntry[];
  /** Every change to the store on this instance, as it happens (read-your-writes, before commit). */
  changes(store: string): Observable<StoreChange>;
  /** Emits whenever tasks move (a rebalance finished or started), so waiters can re-check ownership. */
  readonly ownershipChanges$: Observable<void>;
  /** Alive: not failed and not shut down. */
  live(): boolean;
  /** Running, with every local store restored. */
  ready(): boolean;
  topology(): { readonly text: string; readonly mermaid: string };
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>;
}

export const storeKinds = ['key-value', 'window', 'session'] as const;
export type StoreKind = (typeof storeKinds)[number];

/** How a key is written in a URL: as text, as a number, or as JSON (objects, arrays, quoted strings). */
export const keyFormats = ['string', 'number', 'json'] as const;
export type KeyFormat = (typeof keyFormats)[number];

export interface QueryableStoreInfo {
  readonly name: string;
  readonly kind: StoreKind;
  readonly keyFormat: KeyFormat;
}

export interface HostAddress {
  readonly host: string;
  readonly port: number;
}

export type KeyOwner =
  | { readonly kind: 'local'; readonly partition: number }
  | { readonly kind: 'remote'; readonly partition: number; readonly address: HostAddress }
  | { readonly kind: 'unavailable'; readonly reason: string };

export type KeyLookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

export interface RangeQuery {
  /** Inclusive bounds, in the store's key type. */
  readonly from?: unknown;
  readonly to?: unknown;
  readonly prefix?: unknown;
  /** Only entries after this position (a KeyValueEntry's `position`): the page cursor. */
  readonly after?: string;
  readonly limit: number;
}

export interface KeyValueEntry {
  readonly key: unknown;
  readonly value: unknown;
  /** The serialized key, base64url: entries sort by it across instances and it is the page cursor. */
  readonly position: string;
}

export interface WindowEntry {
  readonly startMs: number;
  readonly endMs: number;
  readonly value: unknown;
}

export interface StoreChange {
  readonly key: unknown;
  /** `null` when the key was deleted. */
  readonly value: unknown;
}

import { map, type Observable } from 'rxjs';
import { isKStreamsError, KStreamsError } from '../errors.ts';
import { parseHostInfo } from '../runtime/application-server.ts';
import type { KafkaStreams } from '../runtime/kafka-streams.ts';
import type { QueryableKeyValueStore } from '../runtime/queryable-stores.ts';
import type { Serde } from '../serdes/serde.ts';
import type { StoreBuilder } from '../state/state-store.ts';
import type {
  HostAddress,
  KeyFormat,
  KeyLookup,
  KeyOwner,
  KeyValueEntry,
  QueryableStoreInfo,
  RangeQuery,
  StoreChange,
  StoreQueries,
  WindowEntry,
} from './store-queries.ts';

export interface AppStoreQueriesOptions {
  /** How keys of a store are written in URLs, when detecting it from the key serde is not right. */
  readonly keyFormats?: Readonly<Record<string, KeyFormat>>;
}

/**
 * Interactive queries over a running KafkaStreams app: stores from its topology, the owner of each key
 * from the assignor's task -> host map (this instance is the one whose applicationServer it advertises),
 * reads from its read-only store views, changes from its store change streams.
 */
export class AppStoreQueries implements StoreQueries {
  readonly #app: KafkaStreams;
  readonly #self: HostAddress | undefined;
  readonly #keyFormats: Readonly<Record<string, KeyFormat>>;
  readonly ownershipChanges$: Observable<void>;
  /** The topology does not change: store infos, builders and views are worked out once. */
  #stores: readonly QueryableStoreInfo[] | undefined;
  readonly #builders = new Map<string, StoreBuilder>();
  readonly #views = new Map<string, QueryableKeyValueStore<unknown, unknown>>();
  /** Stores whose number keys are 64-bit (bigint) keys. */
  readonly #bigintKeys = new Map<string, boolean>();

  constructor(app: KafkaStreams, options: AppStoreQueriesOptions = {}) {
    this.#app = app;
    const server = app.config.applicationServer;
    this.#self = server === undefined ? undefined : parseHostInfo(server);
    this.#keyFormats = options.keyFormats ?? {};
    this.ownershipChanges$ = app.state$.pipe(map(() => undefined));
  }

  stores(): readonly QueryableStoreInfo[] {
    this.#stores ??= this.#app.topology
      .storeBuilders()
      .filter((builder) => builder.queryKind !== undefined)
      .map((builder) => ({
        name: builder.name,
        kind: builder.queryKind!,
        keyFormat: this.#keyFormats[builder.name] ?? detectKeyFormat(this.#keySerde(builder)),
      }));
    return this.#stores;
  }

  ownerOf(store: string, key: unknown): KeyOwner {
    if (this.#app.topology.globalStoreNames().includes(store)) return { kind: 'local', partition: 0 };
    const builder = this.#builder(store);
    const typedKey = this.#typedKey(builder, key);
    try {
      const found = this.#app.metadataForKey(store, typedKey, this.#keySerde(builder));
      const local = this.#self !== undefined && found.host === this.#self.host && found.port === this.#self.port;
      return local
        ? { kind: 'local', partition: found.partition }
        : { kind: 'remote', partition: found.partition, address: { host: found.host, port: found.port } };
    } catch (error) {
      if (isKStreamsError(error) && error.retriable) return { kind: 'unavailable', reason: error.reason };
      throw error;
    }
  }

  peers(store: string): readonly HostAddress[] {
    return this.#app
      .allMetadataForStore(store)
      .filter((m) => this.#self === undefined || m.host !== this.#self.host || m.port !== this.#self.port)
      .map((m) => ({ host: m.host, port: m.port }));
  }

  get(store: string, key: unknown): KeyLookup {
    const view = this.#view(store);
    const value = view.get(this.#typedKey(this.#builder(store), key));
    return value === undefined || value === null ? { found: false } : { found: true, value };
  }

  range(store: string, query: RangeQuery): readonly KeyValueEntry[] {
    const builder = this.#builder(store);
    const typed = (key: unknown) => (key === undefined ? undefined : this.#typedKey(builder, key));
    const entries = this.#view(store).range({
      ...(query.from === undefined ? {} : { from: typed(query.from) }),
      ...(query.to === undefined ? {} : { to: typed(query.to) }),
      ...(query.prefix === undefined ? {} : { prefix: typed(query.prefix) }),
      ...(query.after === undefined ? {} : { afterKeyBytes: Buffer.from(query.after, 'base64url') }),
      limit: query.limit,
    });
    return entries.map((entry) => ({
      key: entry.key,
      value: entry.value,
      position: entry.keyBytes.toString('base64url'),
    }));
  }

  windows(store: string, key: unknown, fromMs: number, toMs: number): readonly WindowEntry[] {
    return this.#app.windowStore(store).fetch(this.#typedKey(this.#builder(store), key), fromMs, toMs);
  }

  changes(store: string): Observable<StoreChange> {
    return this.#app.storeChanges$(store);
  }

  live(): boolean {
    const state = this.#app.state;
    return state !== 'ERROR' && state !== 'PENDING_ERROR' && state !== 'NOT_RUNNING';
  }

  ready(): boolean {
    return this.#app.state === 'RUNNING';
  }

  topology() {
    const description = this.#app.topology.describe();
    return { text: description.toString(), mermaid: description.toMermaid() };
  }

  async metrics() {
    return { contentType: this.#app.metrics.contentType, text: await this.#app.metrics.text() };
  }

  /** The app's view of a key-value store, made once it can be (after start). */
  #view(store: string): QueryableKeyValueStore<unknown, unknown> {
    let view = this.#views.get(store);
    if (view === undefined) {
      view = this.#app.store(store);
      this.#views.set(store, view);
    }
    return view;
  }

  #builder(store: string): StoreBuilder {
    const cached = this.#builders.get(store);
    if (cached !== undefined) return cached;
    const builder = this.#app.topology.storeBuilders().find((b) => b.name === store && b.queryKind !== undefined);
    if (builder === undefined) {
      throw new KStreamsError('STORE_NOT_FOUND', `There is no queryable store named "${store}".`, {
        hint: `Query one of: ${this.stores()
          .map((s) => s.name)
          .join(', ')}.`,
      });
    }
    this.#builders.set(store, builder);
    return builder;
  }

  #keySerde(builder: StoreBuilder): Serde<unknown> {
    return builder.keySerde ?? this.#app.config.defaultKeySerde;
  }

  /** A key parsed from a URL as a number becomes a bigint for stores whose keys are 64-bit integers. */
  #typedKey(builder: StoreBuilder, key: unknown): unknown {
    if (typeof key !== 'number' || !Number.isInteger(key)) return key;
    let bigint = this.#bigintKeys.get(builder.name);
    if (bigint === undefined) {
      const serde = this.#keySerde(builder);
      bigint = !accepts(serde, 1) && accepts(serde, 1n);
      this.#bigintKeys.set(builder.name, bigint);
    }
    return bigint ? BigInt(key) : key;
  }
}

function accepts(serde: Serde<unknown>, probe: unknown): boolean {
  try {
    serde.serialize('probe', probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * How a store's keys are written in URLs, from what its key serde accepts: text only -> string, numbers
 * (or 64-bit bigints) only -> number, anything else (JSON, Avro records) -> JSON.
 */
export function detectKeyFormat(serde: Serde<unknown>): KeyFormat {
  const text = accepts(serde, 'k');
  const number = accepts(serde, 1) || accepts(serde, 1n);
  if (text && !number) return 'string';
  if (number && !text) return 'number';
  return 'json';
}

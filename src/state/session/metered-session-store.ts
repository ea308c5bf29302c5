import { KStreamsError } from '../../errors.ts';
import type { BytesEntry, BytesWrite } from '../bytes-store.ts';
import type { KeyValueBytesLayer } from '../key-value/key-value-bytes-layer.ts';
import type { StoreRecordContext } from '../store-context.ts';
import type { StoreMetrics } from '../store-metrics.ts';
import { OperationTimer } from '../window/operation-timer.ts';
import type { SegmentedStoreState } from '../window/segmented-store-state.ts';
import type { StoreSerdes } from '../window/store-serdes.ts';
import { assertQueryTime, assertStoreTime } from '../window/time-bytes.ts';
import type { SessionKeySchema } from './session-key-schema.ts';
import type { Session, SessionEntry, SessionFlushListener, SessionStore } from './session-store.ts';

export interface MeteredSessionStoreOptions<K, AGG> {
  /** The top bytes layer: caching, change-logging or segments, over session bytes keys. */
  readonly inner: KeyValueBytesLayer;
  readonly schema: SessionKeySchema;
  readonly state: SegmentedStoreState;
  readonly serdes: StoreSerdes<K, AGG>;
  readonly recordContext?: () => StoreRecordContext | undefined;
  /** Told the record context of each update forwarded at flush (StoreContext.forwarding). */
  readonly forwarding?: (record: StoreRecordContext | undefined) => void;
  readonly metrics?: StoreMetrics;
}

interface EndBounds {
  readonly from: number;
  readonly to: number;
}

/**
 * The outer layer of a session store and the only one that knows types and sessions: it turns sessions
 * into session bytes keys for the key-value layers below, advances stream time (the largest session end)
 * on every put, and hides sessions that retention has expired.
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly #inner: KeyValueBytesLayer;
  readonly #schema: SessionKeySchema;
  readonly #state: SegmentedStoreState;
  readonly #serdes: StoreSerdes<K, AGG>;
  readonly #recordContext: (() => StoreRecordContext | undefined) | undefined;
  readonly #forwarding: ((record: StoreRecordContext | undefined) => void) | undefined;
  readonly #timer: OperationTimer;

  constructor(options: MeteredSessionStoreOptions<K, AGG>) {
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
    this.retentionMs = options.state.retentionMs;
    this.#inner = options.inner;
    this.#schema = options.schema;
    this.#state = options.state;
    this.#serdes = options.serdes;
    this.#recordContext = options.recordContext;
    this.#forwarding = options.forwarding;
    this.#timer = new OperationTimer(this.name, options.metrics);
  }

  put(session: Session<K>, aggregate: AGG | null): void {
    this.#timer.time('put', () => this.#write(session, this.#serdes.valueBytes(aggregate)));
  }

  remove(session: Session<K>): void {
    this.#timer.time('delete', () => this.#write(session, null));
  }

  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () =>
      this.#keySessions(key, earliestSessionEndTime, latestSessionStartTime, false),
    );
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () =>
      this.#keySessions(key, earliestSessionEndTime, latestSessionStartTime, true),
    );
  }

  fetchSession(key: K, start: number, end: number): AGG | undefined {
    return this.#timer.time('get', () => {
      assertQueryTime(this.name, 'session start', start);
      assertQueryTime(this.name, 'session end', end);
      const keyBytes = this.#serdes.keyBytes(key);
      if (!(isStoreTime(start) && isStoreTime(end) && start <= end) || this.#state.isExpired(end)) return undefined;
      const value = this.#inner.get(this.#schema.toStoreKey(keyBytes, start, end));
      return value === undefined ? undefined : this.#serdes.valueOf(value);
    });
  }

  fetch(key: K): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () => this.#keySessions(key, 0, Number.POSITIVE_INFINITY, false));
  }

  backwardFetch(key: K): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () => this.#keySessions(key, 0, Number.POSITIVE_INFINITY, true));
  }

  findAllSessions(
    earliestSessionEndTime: number,
    latestSessionEndTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () =>
      this.#scanAll(this.#endBounds(earliestSessionEndTime, latestSessionEndTime)),
    );
  }

  all(): IterableIterator<SessionEntry<K, AGG>> {
    return this.#timer.time('range', () => this.#scanAll(this.#endBounds(0, Number.POSITIVE_INFINITY)));
  }

  setFlushListener(listener: SessionFlushListener<K, AGG>): boolean {
    const forwarding = this.#forwarding;
    return this.#inner.setFlushListener((key, newValue, oldValue, record) => {
      const session = this.#session(key);
      forwarding?.(record);
      try {
        listener(session, this.#serdes.valueOrNull(newValue), this.#serdes.valueOrNull(oldValue), record.timestamp);
      } finally {
        forwarding?.(undefined);
      }
    });
  }

  flush(): void {
    this.#timer.time('flush', () => this.#inner.flush());
  }

  persist(changelogOffset?: number): Promise<void> {
    return this.#timer.timeAsync('persist', () => this.#inner.persist(changelogOffset));
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  /** Restores changelog records, whose keys are session bytes keys. */
  restore(batch: readonly BytesWrite[], changelogOffset: number): Promise<void> {
    return this.#timer.timeAsync('restore', () => this.#inner.restore(batch, changelogOffset));
  }

  wipe(): Promise<void> {
    return this.#inner.wipe();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #write(session: Session<K>, valueBytes: Buffer | null): void {
    assertStoreTime(this.name, 'session start', session.start);
    assertStoreTime(this.name, 'session end', session.end);
    if (session.end < session.start) {
      throw new KStreamsError(
        'INVALID_TIMESTAMP',
        `Store "${this.name}" was given a session ending at ${session.end}, before its start ${session.start}.`,
        { hint: 'Give sessions with start <= end (a single record makes a session with start = end).' },
      );
    }
    const stored = this.#schema.toStoreKey(this.#serdes.keyBytes(session.key), session.start, session.end);
    this.#state.observe(session.end);
    if (this.#state.isExpired(session.end)) return;
    // Removing a session that is not there changes nothing, so nothing is logged.
    if (valueBytes === null && this.#inner.get(stored) === undefined) return;
    this.#inner.put(stored, valueBytes, this.#recordContext?.() ?? { timestamp: Date.now() });
  }

  /** Validates and serializes eagerly, so a bad argument throws at the call, not at the first read. */
  #keySessions(
    key: K,
    earliestEnd: number,
    latestStart: number,
    reverse: boolean,
  ): IterableIterator<SessionEntry<K, AGG>> {
    assertQueryTime(this.name, 'latest session start', latestStart);
    const bounds = this.#endBounds(earliestEnd, Number.POSITIVE_INFINITY);
    const keyBytes = this.#serdes.keyBytes(key);
    if (bounds === undefined || latestStart < 0) return [][Symbol.iterator]();
    return this.#sessionsOf(keyBytes, bounds, latestStart, reverse);
  }

  *#sessionsOf(
    keyBytes: Buffer,
    bounds: EndBounds,
    latestStart: number,
    reverse: boolean,
  ): Generator<SessionEntry<K, AGG>> {
    const scan = this.#inner.range({
      from: this.#schema.lowerBound(keyBytes, bounds.from),
      to: this.#schema.upperBound(keyBytes, bounds.to),
      reverse,
    });
    for (const entry of scan) {
      if (!this.#schema.isKeyOf(entry.key, keyBytes)) continue;
      if (this.#schema.startOf(entry.key) > latestStart) continue;
      if (this.#state.isExpired(this.#schema.endOf(entry.key))) continue;
      yield this.#entry(entry);
    }
  }

  *#scanAll(bounds: EndBounds | undefined): Generator<SessionEntry<K, AGG>> {
    if (bounds === undefined) return;
    for (const entry of this.#inner.range()) {
      const end = this.#schema.endOf(entry.key);
      if (end < bounds.from || end > bounds.to || this.#state.isExpired(end)) continue;
      yield this.#entry(entry);
    }
  }

  #entry(entry: BytesEntry): SessionEntry<K, AGG> {
    return { session: this.#session(entry.key), value: this.#serdes.valueOf(entry.value) };
  }

  #session(stored: Buffer): Session<K> {
    return {
      key: this.#serdes.keyOf(this.#schema.recordKey(stored)),
      start: this.#schema.startOf(stored),
      end: this.#schema.endOf(stored),
    };
  }

  /** Inclusive bounds on session ends, clamped to live, stored ends; undefined when nothing can match. */
  #endBounds(earliestEnd: number, latestEnd: number): EndBounds | undefined {
    assertQueryTime(this.name, 'earliest session end', earliestEnd);
    assertQueryTime(this.name, 'latest session end', latestEnd);
    const from = Math.max(Math.ceil(earliestEnd), this.#state.lowestLiveTime());
    const to = Math.min(Math.floor(latestEnd), this.#state.streamTime);
    return to < from ? undefined : { from, to };
  }
}

function isStoreTime(time: number): boolean {
  return Number.isSafeInteger(time) && time >= 0;
}

import { KStreamsError } from '../../errors.ts';
import type { BytesEntry } from '../bytes-store.ts';
import { MeteredStore, type MeteredStoreOptions } from '../internals/metered-store.ts';
import { keyEntries, liveTimeBounds, type TimeBounds } from '../window/segmented-key-scan.ts';
import type { SegmentedStoreState } from '../window/segmented-store-state.ts';
import { assertQueryTime, assertStoreTime } from '../window/time-bytes.ts';
import type { SessionKeySchema } from './session-key-schema.ts';
import type { Session, SessionEntry, SessionFlushListener, SessionStore } from './session-store.ts';

/** `inner` is the top bytes layer (caching, change-logging or segments) over session bytes keys. */
export interface MeteredSessionStoreOptions<K, AGG> extends MeteredStoreOptions<K, AGG> {
  readonly schema: SessionKeySchema;
  readonly state: SegmentedStoreState;
}

/**
 * The outer layer of a session store and the only one that knows types and sessions: it turns sessions
 * into session bytes keys for the key-value layers below, advances stream time (the largest session end)
 * on every put, and hides sessions that retention has expired.
 */
export class MeteredSessionStore<K, AGG> extends MeteredStore<K, AGG> implements SessionStore<K, AGG> {
  readonly retentionMs: number;
  readonly #schema: SessionKeySchema;
  readonly #state: SegmentedStoreState;

  constructor(options: MeteredSessionStoreOptions<K, AGG>) {
    super(options);
    this.retentionMs = options.state.retentionMs;
    this.#schema = options.schema;
    this.#state = options.state;
  }

  put(session: Session<K>, aggregate: AGG | null): void {
    this.timer.time('put', () => this.#write(session, this.serdes.valueBytes(aggregate)));
  }

  remove(session: Session<K>): void {
    this.timer.time('delete', () => this.#write(session, null));
  }

  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () =>
      this.#keySessions(key, earliestSessionEndTime, latestSessionStartTime, false),
    );
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () => this.#keySessions(key, earliestSessionEndTime, latestSessionStartTime, true));
  }

  fetchSession(key: K, start: number, end: number): AGG | undefined {
    return this.timer.time('get', () => {
      assertQueryTime(this.name, 'session start', start);
      assertQueryTime(this.name, 'session end', end);
      const keyBytes = this.serdes.keyBytes(key);
      if (!(isStoreTime(start) && isStoreTime(end) && start <= end) || this.#state.isExpired(end)) return undefined;
      const value = this.inner.get(this.#schema.toStoreKey(keyBytes, start, end));
      return value === undefined ? undefined : this.serdes.valueOf(value);
    });
  }

  fetch(key: K): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () => this.#keySessions(key, 0, Number.POSITIVE_INFINITY, false));
  }

  backwardFetch(key: K): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () => this.#keySessions(key, 0, Number.POSITIVE_INFINITY, true));
  }

  findAllSessions(
    earliestSessionEndTime: number,
    latestSessionEndTime: number,
  ): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () => this.#scanAll(this.#endBounds(earliestSessionEndTime, latestSessionEndTime)));
  }

  all(): IterableIterator<SessionEntry<K, AGG>> {
    return this.timer.time('range', () => this.#scanAll(this.#endBounds(0, Number.POSITIVE_INFINITY)));
  }

  setFlushListener(listener: SessionFlushListener<K, AGG>): boolean {
    return this.inner.setFlushListener((key, newValue, oldValue, record) => {
      const session = this.#session(key);
      this.forwardFlushed(record, () =>
        listener(session, this.serdes.valueOrNull(newValue), this.serdes.valueOrNull(oldValue), record.timestamp),
      );
    });
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
    const stored = this.#schema.toStoreKey(this.serdes.keyBytes(session.key), session.start, session.end);
    this.#state.observe(session.end);
    if (this.#state.isExpired(session.end)) return;
    // Removing a session that is not there changes nothing, so nothing is logged.
    if (valueBytes === null && this.inner.get(stored) === undefined) return;
    this.inner.put(stored, valueBytes, this.currentRecord());
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
    const keyBytes = this.serdes.keyBytes(key);
    if (bounds === undefined || latestStart < 0) return [][Symbol.iterator]();
    return this.#sessionsOf(keyBytes, bounds, latestStart, reverse);
  }

  *#sessionsOf(
    keyBytes: Buffer,
    bounds: TimeBounds,
    latestStart: number,
    reverse: boolean,
  ): Generator<SessionEntry<K, AGG>> {
    for (const entry of keyEntries(this.inner, this.#schema, keyBytes, bounds, reverse)) {
      if (this.#schema.startOf(entry.key) > latestStart) continue;
      if (this.#state.isExpired(this.#schema.endOf(entry.key))) continue;
      yield this.#entry(entry);
    }
  }

  *#scanAll(bounds: TimeBounds | undefined): Generator<SessionEntry<K, AGG>> {
    if (bounds === undefined) return;
    for (const entry of this.inner.range()) {
      const end = this.#schema.endOf(entry.key);
      if (end < bounds.from || end > bounds.to || this.#state.isExpired(end)) continue;
      yield this.#entry(entry);
    }
  }

  #entry(entry: BytesEntry): SessionEntry<K, AGG> {
    return { session: this.#session(entry.key), value: this.serdes.valueOf(entry.value) };
  }

  #session(stored: Buffer): Session<K> {
    return {
      key: this.serdes.keyOf(this.#schema.recordKey(stored)),
      start: this.#schema.startOf(stored),
      end: this.#schema.endOf(stored),
    };
  }

  /** Inclusive bounds on session ends, clamped to live, stored ends; undefined when nothing can match. */
  #endBounds(earliestEnd: number, latestEnd: number): TimeBounds | undefined {
    assertQueryTime(this.name, 'earliest session end', earliestEnd);
    assertQueryTime(this.name, 'latest session end', latestEnd);
    return liveTimeBounds(this.#state, earliestEnd, latestEnd);
  }
}

function isStoreTime(time: number): boolean {
  return Number.isSafeInteger(time) && time >= 0;
}

import type { StateStore } from '../state-store.ts';

/** A session of one key: from its first to its last record, both inclusive (Kafka Streams' SessionWindow). */
export interface Session<K> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
}

/** A session and its aggregate, as session queries return them. */
export interface SessionEntry<K, AGG> {
  readonly session: Session<K>;
  readonly value: AGG;
}

/** Called at flush by a caching session store, once per changed session (null: removed). */
export type SessionFlushListener<K, AGG> = (
  session: Session<K>,
  newValue: AGG | null,
  oldValue: AGG | null,
  timestamp: number,
) => void;

/**
 * Read access to a session store; sessions that retention has expired are never returned. Queries over one
 * key return its sessions ordered by end, then start. Queries over all keys run in the byte order of the
 * session key (serialized key, end, start): key order first, except that a key whose bytes prefix
 * another's may interleave with it.
 */
export interface ReadOnlySessionStore<K, AGG> {
  /**
   * `key`'s sessions with end >= earliestSessionEndTime and start <= latestSessionStartTime: those
   * overlapping or touching [earliestSessionEndTime, latestSessionStartTime]. A record at time t with
   * inactivity gap g merges with `findSessions(key, t - g, t + g)`.
   */
  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>>;
  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): IterableIterator<SessionEntry<K, AGG>>;
  /** The aggregate of `key`'s session [start, end], if stored. */
  fetchSession(key: K, start: number, end: number): AGG | undefined;
  /** Every session of `key`. */
  fetch(key: K): IterableIterator<SessionEntry<K, AGG>>;
  backwardFetch(key: K): IterableIterator<SessionEntry<K, AGG>>;
  /**
   * Every key's sessions ending within [earliestSessionEndTime, latestSessionEndTime] (for final results
   * when sessions close). Scans every live session and filters by end.
   */
  findAllSessions(earliestSessionEndTime: number, latestSessionEndTime: number): IterableIterator<SessionEntry<K, AGG>>;
  all(): IterableIterator<SessionEntry<K, AGG>>;
}

/**
 * A session store (Kafka Streams' SessionStore): one aggregate per key and session, kept for a retention
 * period measured in stream time (the largest session end written), never the wall clock.
 */
export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  readonly retentionMs: number;
  /**
   * Stores the session's aggregate; a null aggregate removes it. A session already expired by stream time
   * is dropped silently. Throws INVALID_TIMESTAMP for negative times or an end before the start.
   */
  put(session: Session<K>, aggregate: AGG | null): void;
  remove(session: Session<K>): void;
  /**
   * Registers the forwarder of session aggregations. Returns true when the store caches and will call
   * `listener` once per changed session at flush; false when the caller must forward each update itself.
   */
  setFlushListener(listener: SessionFlushListener<K, AGG>): boolean;
}

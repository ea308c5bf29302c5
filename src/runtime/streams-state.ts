import { BehaviorSubject, type Observable } from 'rxjs';
import { KStreamsError } from '../errors.ts';

/** The lifecycle of a KafkaStreams instance, with Kafka Streams' names. */
export const streamsStates = [
  'CREATED',
  'REBALANCING',
  'RUNNING',
  'PENDING_SHUTDOWN',
  'NOT_RUNNING',
  'PENDING_ERROR',
  'ERROR',
] as const;
export type StreamsState = (typeof streamsStates)[number];

/**
 * Allowed transitions, exactly as Kafka Streams' `KafkaStreams.State`:
 *
 * | from             | to                                                   |
 * |------------------|------------------------------------------------------|
 * | CREATED          | REBALANCING, PENDING_SHUTDOWN                        |
 * | REBALANCING      | RUNNING, PENDING_SHUTDOWN, PENDING_ERROR             |
 * | RUNNING          | REBALANCING, RUNNING, PENDING_SHUTDOWN, PENDING_ERROR |
 * | PENDING_SHUTDOWN | NOT_RUNNING                                          |
 * | NOT_RUNNING      | (none)                                               |
 * | PENDING_ERROR    | ERROR                                                |
 * | ERROR            | (none)                                               |
 *
 * As in Kafka Streams, once shutting down (PENDING_SHUTDOWN, PENDING_ERROR) or stopped (NOT_RUNNING,
 * ERROR), requests to move elsewhere (a late rebalance, a second close) are ignored, not errors.
 */
export const allowedTransitions: Readonly<Record<StreamsState, readonly StreamsState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

const winding: ReadonlySet<StreamsState> = new Set(['PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR']);

export type StateListener = (newState: StreamsState, oldState: StreamsState) => void;

/** Holds the current state, checks every transition against the table and tells listeners. */
export class StreamsStateMachine {
  readonly #subject = new BehaviorSubject<StreamsState>('CREATED');
  readonly #listeners = new Set<StateListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  get state(): StreamsState {
    return this.#subject.value;
  }

  /** The current state first, then every change; completes when a final state is reached. */
  get state$(): Observable<StreamsState> {
    return this.#subject.asObservable();
  }

  onChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Moves to `next`. Returns false when the move is ignored (already winding down, or already there);
   * throws ILLEGAL_STATE for a transition the table does not allow, which is a bug in the runtime.
   */
  transition(next: StreamsState): boolean {
    const current = this.state;
    if (current === next) return false;
    if (!allowedTransitions[current].includes(next)) {
      if (winding.has(current)) return false;
      throw new KStreamsError('ILLEGAL_STATE', `Illegal state transition from ${current} to ${next}.`, {
        hint: 'This is a bug in the kstreams runtime: report it with the log lines before this error.',
      });
    }
    this.#subject.next(next);
    for (const listener of [...this.#listeners]) {
      try {
        listener(next, current);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    if (allowedTransitions[next].length === 0) this.#subject.complete();
    return true;
  }

  /** True when `next` is a legal move from the current state. */
  canTransition(next: StreamsState): boolean {
    return allowedTransitions[this.state].includes(next);
  }
}

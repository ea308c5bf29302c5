import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import {
  allowedTransitions,
  type StreamsState,
  StreamsStateMachine,
  streamsStates,
} from '../../src/runtime/streams-state.ts';

function machineIn(path: readonly StreamsState[]): StreamsStateMachine {
  const machine = new StreamsStateMachine();
  for (const state of path) machine.transition(state);
  return machine;
}

const pathTo: Record<StreamsState, readonly StreamsState[]> = {
  CREATED: [],
  REBALANCING: ['REBALANCING'],
  RUNNING: ['REBALANCING', 'RUNNING'],
  PENDING_SHUTDOWN: ['PENDING_SHUTDOWN'],
  NOT_RUNNING: ['PENDING_SHUTDOWN', 'NOT_RUNNING'],
  PENDING_ERROR: ['REBALANCING', 'PENDING_ERROR'],
  ERROR: ['REBALANCING', 'PENDING_ERROR', 'ERROR'],
};

describe('StreamsStateMachine', () => {
  it('has exactly Kafka Streams transitions', () => {
    expect(allowedTransitions).toEqual({
      CREATED: ['REBALANCING', 'PENDING_SHUTDOWN'],
      REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
      RUNNING: ['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
      PENDING_SHUTDOWN: ['NOT_RUNNING'],
      NOT_RUNNING: [],
      PENDING_ERROR: ['ERROR'],
      ERROR: [],
    });
  });

  it('follows a normal lifecycle and tells listeners and state$ subscribers', () => {
    const machine = new StreamsStateMachine();
    const changes: string[] = [];
    const seen: StreamsState[] = [];
    machine.onChange((next, previous) => changes.push(`${previous}->${next}`));
    const subscription = machine.state$.subscribe((state) => seen.push(state));
    for (const state of [
      'REBALANCING',
      'RUNNING',
      'REBALANCING',
      'RUNNING',
      'PENDING_SHUTDOWN',
      'NOT_RUNNING',
    ] as const) {
      expect(machine.transition(state)).toBe(true);
    }
    expect(changes).toEqual([
      'CREATED->REBALANCING',
      'REBALANCING->RUNNING',
      'RUNNING->REBALANCING',
      'REBALANCING->RUNNING',
      'RUNNING->PENDING_SHUTDOWN',
      'PENDING_SHUTDOWN->NOT_RUNNING',
    ]);
    expect(seen).toEqual(['CREATED', ...changes.map((c) => c.split('->')[1])]);
    expect(subscription.closed).toBe(true);
  });

  it('emits the current state first to a late state$ subscriber', () => {
    const machine = machineIn(['REBALANCING', 'RUNNING']);
    const seen: StreamsState[] = [];
    machine.state$.subscribe((state) => seen.push(state)).unsubscribe();
    expect(seen).toEqual(['RUNNING']);
  });

  const activeStates: StreamsState[] = ['CREATED', 'REBALANCING', 'RUNNING'];
  for (const from of activeStates) {
    for (const to of streamsStates) {
      if (to === from || allowedTransitions[from].includes(to)) continue;
      it(`refuses ${from} -> ${to} as a bug`, () => {
        const machine = machineIn(pathTo[from]);
        let thrown: unknown;
        try {
          machine.transition(to);
        } catch (error) {
          thrown = error;
        }
        expect(isKStreamsError(thrown, 'ILLEGAL_STATE')).toBe(true);
        expect(machine.state).toBe(from);
      });
    }
  }

  it('ignores moves away from a winding-down or final state', () => {
    for (const from of ['PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'] as const) {
      const machine = machineIn(pathTo[from]);
      expect(machine.transition('REBALANCING')).toBe(false);
      expect(machine.transition('PENDING_SHUTDOWN')).toBe(false);
      expect(machine.state).toBe(from);
    }
  });

  it('keeps going when a listener throws, reporting the error', () => {
    const reported: unknown[] = [];
    const machine = new StreamsStateMachine((error) => reported.push(error));
    machine.onChange(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = machine.onChange(() => undefined);
    machine.transition('REBALANCING');
    unsubscribe();
    expect(machine.state).toBe('REBALANCING');
    expect(reported).toHaveLength(1);
  });
});

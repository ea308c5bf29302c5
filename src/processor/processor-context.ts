import type { StateStore } from '../state/state-store.ts';
import type { RecordOrigin, StreamRecord } from './stream-record.ts';

/**
 * What drives a punctuator: stream time (the largest record timestamp the task has seen, advanced only by
 * records) or wall-clock time (checked between poll batches).
 */
export const punctuationTypes = ['stream-time', 'wall-clock'] as const;
export type PunctuationType = (typeof punctuationTypes)[number];

export type Punctuator = (timestamp: number) => void;

/**
 * Why a processor dropped a record on purpose (Kafka Streams' dropped-records sensor): `late` records
 * arrived after their window's grace period, `expired` ones fell outside a store's retention,
 * `null-key` ones cannot be grouped or joined.
 */
export const dropReasons = ['late', 'expired', 'null-key'] as const;
export type DropReason = (typeof dropReasons)[number];

export interface Cancellable {
  cancel(): void;
}

/** A task's identity: sub-topology id and partition, printed as `<subtopology>_<partition>`. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

/**
 * The one object a processor talks to (goka's context, Kafka Streams' ProcessorContext). Every method is
 * synchronous; failures are thrown as KStreamsError and handled by the task's processing error handler.
 */
export interface ProcessorContext<KOut, VOut> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /**
   * Sends a record to every child node, or only to the named child. Children run before `forward`
   * returns (depth-first), so the caller sees their effects, including thrown errors.
   */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /**
   * Calls `punctuator` every `intervalMs` of the given time. Stream-time punctuation fires when records
   * move stream time past the next boundary; wall-clock punctuation between poll batches.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** The store connected to this processor; throws naming the store and the fix if it is not connected. */
  getStateStore<S extends StateStore>(name: string): S;
  /** The source topic, partition and offset of the record being processed, if it came from a topic. */
  recordOrigin(): RecordOrigin | undefined;
  /** The task's stream time: the largest timestamp among the records it has processed. */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Counts a record this processor dropped on purpose (windows past grace, null keys, ...). */
  recordDropped(reason: DropReason): void;
  /** Asks for a commit as soon as the current record is done (it still follows the commit protocol). */
  requestCommit(): void;
}

import type { ProcessorContext } from './processor-context.ts';
import type { StreamRecord } from './stream-record.ts';

/**
 * A node of the topology (Kafka Streams' `Processor`). `process` runs synchronously for each record and
 * may forward any number of records downstream through the context; all I/O happens at commit.
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  /** Called once per task before the first record; keep the context to forward, schedule and read stores. */
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  /** Called once when the task closes (revocation, shutdown). */
  close?(): void;
}

/** Makes a fresh processor for each task: processors hold per-task state and must not be shared. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;

export type { Processor, ProcessorSupplier } from './processor.ts';
export type { Cancellable, ProcessorContext, PunctuationType, Punctuator, TaskId } from './processor-context.ts';
export { punctuationTypes } from './processor-context.ts';
export type { RecordHeader, RecordOrigin, StreamRecord } from './stream-record.ts';
export type { Subtopology } from './subtopologies.ts';
export { subtopologiesOf } from './subtopologies.ts';
export type { ExtractableRecord, TimestampExtractor } from './timestamp-extractor.ts';
export { recordTimestamp } from './timestamp-extractor.ts';
export type {
  AutoOffsetReset,
  ProcessorNode,
  SinkNode,
  SinkOptions,
  SourceNode,
  SourceOptions,
  StreamPartitioner,
  TopicNameExtractor,
  TopologyNode,
} from './topology.ts';
export { autoOffsetResets, Topology } from './topology.ts';
export type { TopologyDescription } from './topology-description.ts';

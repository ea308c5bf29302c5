import { KStreamsError, reasonOf } from '../errors.ts';
import type { Processor } from '../processor/processor.ts';
import type { ProcessorContext } from '../processor/processor-context.ts';
import type { StreamRecord } from '../processor/stream-record.ts';
import type { SinkNode } from '../processor/topology.ts';
import type { Serializer } from '../serdes/serde.ts';
import type { RecordCollector } from './record-collector.ts';

type AnyRecord = StreamRecord<unknown, unknown>;

/** One node of a task's processor graph; `process` runs the node and, through forward, its children. */
export interface TaskNode {
  readonly name: string;
  process(record: AnyRecord): void;
}

/** A processing failure, tagged with the node it happened in (once: the innermost node wins). */
export class NodeProcessingError extends KStreamsError {
  readonly node: string;

  constructor(node: string, cause: unknown) {
    const reason = reasonOf(cause);
    super('PROCESSING_FAILED', `Processor "${node}" failed: ${reason}`, {
      hint: 'Fix the processor, or set the processing error policy to log-and-continue or dead-letter.',
      cause,
    });
    this.node = node;
  }
}

export function failureIn(node: string, error: unknown): NodeProcessingError {
  return error instanceof NodeProcessingError ? error : new NodeProcessingError(node, error);
}

/** Forwards to all children, or to the one named; used by sources and by processors' contexts. */
export class Forwarder {
  readonly #owner: string;
  readonly #children: TaskNode[] = [];
  readonly #byName = new Map<string, TaskNode>();

  constructor(owner: string) {
    this.#owner = owner;
  }

  addChild(child: TaskNode): void {
    this.#children.push(child);
    this.#byName.set(child.name, child);
  }

  forward(record: AnyRecord, childName?: string): void {
    if (childName !== undefined) {
      const child = this.#byName.get(childName);
      if (child === undefined) {
        throw new KStreamsError('TOPOLOGY_INVALID', `"${this.#owner}" has no child named "${childName}".`, {
          hint: `Forward to one of: ${[...this.#byName.keys()].join(', ') || '(no children)'}.`,
        });
      }
      child.process(record);
      return;
    }
    // An indexed loop: this is the hottest path of the engine.
    const children = this.#children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record);
  }
}

export class SourceTaskNode implements TaskNode {
  readonly name: string;
  readonly forwarder: Forwarder;

  constructor(name: string) {
    this.name = name;
    this.forwarder = new Forwarder(name);
  }

  process(record: AnyRecord): void {
    this.forwarder.forward(record);
  }
}

export class ProcessorTaskNode implements TaskNode {
  readonly name: string;
  readonly processor: Processor<unknown, unknown, unknown, unknown>;

  constructor(name: string, processor: Processor<unknown, unknown, unknown, unknown>) {
    this.name = name;
    this.processor = processor;
  }

  init(context: ProcessorContext<unknown, unknown>): void {
    try {
      this.processor.init?.(context);
    } catch (error) {
      throw failureIn(this.name, error);
    }
  }

  process(record: AnyRecord): void {
    try {
      this.processor.process(record);
    } catch (error) {
      throw failureIn(this.name, error);
    }
  }
}

export class SinkTaskNode implements TaskNode {
  readonly name: string;
  readonly #node: SinkNode;
  readonly #keySerializer: Serializer<unknown>;
  readonly #valueSerializer: Serializer<unknown>;
  readonly #collector: RecordCollector;

  constructor(
    node: SinkNode,
    serializers: { key: Serializer<unknown>; value: Serializer<unknown> },
    collector: RecordCollector,
  ) {
    this.name = node.name;
    this.#node = node;
    this.#keySerializer = node.options.keySerializer ?? serializers.key;
    this.#valueSerializer = node.options.valueSerializer ?? serializers.value;
    this.#collector = collector;
  }

  process(record: AnyRecord): void {
    try {
      const topic = typeof this.#node.topic === 'string' ? this.#node.topic : this.#node.topic(record);
      const key = this.#keySerializer.serialize(topic, record.key, record.headers);
      const value = this.#valueSerializer.serialize(topic, record.value, record.headers);
      const partitioner = this.#node.options.partitioner;
      const count = partitioner === undefined ? undefined : this.#collector.partitionCount(topic);
      const partition =
        partitioner === undefined || count === undefined ? undefined : partitioner(topic, record, count);
      // partition may be undefined: the producer then hashes the key (one object literal, no spread).
      this.#collector.send({ topic, partition, key, value, headers: record.headers, timestamp: record.timestamp });
    } catch (error) {
      throw failureIn(this.name, error);
    }
  }
}

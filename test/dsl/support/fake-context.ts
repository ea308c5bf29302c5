import type { DropReason, ProcessorContext } from '../../../src/processor/processor-context.ts';
import type { StreamRecord } from '../../../src/processor/stream-record.ts';
import type { StateStore } from '../../../src/state/state-store.ts';

/** A ProcessorContext that records what is forwarded, for unit tests of single operators. */
export function fakeContext<K, V>(stores: Record<string, StateStore> = {}) {
  const forwarded: Array<StreamRecord<K, V>> = [];
  const dropped: DropReason[] = [];
  const context: ProcessorContext<K, V> = {
    applicationId: 'app',
    taskId: { subtopology: 0, partition: 0 },
    forward: (record) => forwarded.push(record),
    schedule: () => ({ cancel: () => undefined }),
    getStateStore: <S extends StateStore>(name: string) => stores[name] as S,
    recordOrigin: () => undefined,
    currentStreamTimeMs: () => 0,
    currentSystemTimeMs: () => 0,
    recordDropped: (reason) => dropped.push(reason),
    requestCommit: () => undefined,
  };
  return { context, forwarded, dropped };
}

export function record<K, V>(key: K, value: V, timestamp = 0): StreamRecord<K, V> {
  return { key, value, timestamp, headers: [] };
}

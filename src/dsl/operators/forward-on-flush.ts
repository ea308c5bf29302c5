import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { Change } from '../types.ts';

/**
 * Lets a caching store forward a KTable node's updates: once per changed key at commit, as Change(newest,
 * value before the first change since the last commit), with the last update's timestamp. Returns true
 * when the store does so; false (no cache) means the node forwards every update itself.
 */
export function forwardOnFlush<K, V>(store: KeyValueStore<K, V>, context: ProcessorContext<K, Change<V>>): boolean {
  const registered = store.setFlushListener?.((key, newValue, oldValue, timestamp) => {
    context.forward({ key, value: { newValue, oldValue }, timestamp, headers: [] });
  });
  return registered === true;
}

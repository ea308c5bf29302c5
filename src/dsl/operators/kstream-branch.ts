import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { Predicate } from '../types.ts';

/**
 * Sends each record to the child of the first predicate that holds, or to the default child if there is
 * one. `predicates` and `children` are filled while the user adds branches, after this node exists.
 */
export function kstreamBranch<K, V>(
  predicates: readonly Predicate<K, V>[],
  children: readonly string[],
  defaultChild: () => string | undefined,
): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    let fallback: string | undefined;
    return {
      init: (c) => {
        context = c;
        fallback = defaultChild();
      },
      process: (record) => {
        for (let i = 0; i < predicates.length; i++) {
          if (predicates[i]!(record.key, record.value)) {
            context.forward(record, children[i]);
            return;
          }
        }
        if (fallback !== undefined) context.forward(record, fallback);
      },
    };
  };
}

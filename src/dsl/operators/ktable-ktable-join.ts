import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../internals/ktable-value-getter.ts';
import type { Change, ValueJoiner } from '../types.ts';

/**
 * Which rows of a table-table join have a result: `inner` both sides, `left` every row of this side,
 * `right` every row of the other side (the other half of a left join), `outer` a row of either side.
 */
export const tableJoinKinds = ['inner', 'left', 'right', 'outer'] as const;
export type TableJoinKind = (typeof tableJoinKinds)[number];

const keepsThis = (kind: TableJoinKind) => kind === 'left' || kind === 'outer';
const keepsOther = (kind: TableJoinKind) => kind === 'right' || kind === 'outer';

/**
 * One side of a KTable-KTable join (Kafka Streams' KTableKTable{Inner,Left,Right,Outer}Join): each update
 * of this table looks up the other table's current value and forwards the joined Change, old and new
 * result alike computed with that value. An update that had and has no result forwards nothing; one that
 * removes a result forwards `newValue: null`. The joiner gets `(this value, other value)`; the builder
 * swaps the arguments for the other side.
 */
export function ktableKTableJoin<K, V1, V2, VR>(
  kind: TableJoinKind,
  other: KTableValueGetterSupplier<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR>,
): ProcessorSupplier<K, Change<V1>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let otherValue: KTableValueGetter<K, V2>;
    const join = (value: V1 | null, found: V2 | null): VR | null =>
      value !== null || (keepsOther(kind) && found !== null) ? joiner(value, found) : null;
    return {
      init: (c) => {
        context = c;
        otherValue = other.bind(c);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key');
          return;
        }
        const found = otherValue(record.key);
        if (found === null && !keepsThis(kind)) return;
        const newValue = join(record.value.newValue, found);
        const oldValue = join(record.value.oldValue, found);
        if (newValue === null && oldValue === null) return;
        context.forward({ ...record, value: { newValue, oldValue } });
      },
    };
  };
}

/** Reads the join's result for a key from both sides' getters, so a join result can itself be joined. */
export function ktableKTableJoinValueGetter<K, V1, V2, VR>(
  kind: Exclude<TableJoinKind, 'right'>,
  left: KTableValueGetterSupplier<K, V1>,
  right: KTableValueGetterSupplier<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR>,
): KTableValueGetterSupplier<K, VR> {
  return {
    storeNames: [...new Set([...left.storeNames, ...right.storeNames])],
    bind: (context) => {
      const getLeft = left.bind(context);
      const getRight = right.bind(context);
      return (key) => {
        const leftValue = getLeft(key);
        if (leftValue === null && kind !== 'outer') return null;
        const rightValue = getRight(key);
        if (rightValue === null && (kind === 'inner' || leftValue === null)) return null;
        return joiner(leftValue, rightValue);
      };
    },
  };
}

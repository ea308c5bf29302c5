import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { ProcessorContext } from '../../processor/processor-context.ts';

/** Binds, in one task, to the table's current values: `null` when the key has no row. */
export type TableLookup<TK, TV> = (context: ProcessorContext<unknown, unknown>) => (key: TK) => TV | null;

export interface TableLookupJoinSpec<K, V, TK, TV, VOut> {
  /** Reads the table: a KTable's value getter in this task, or the global table's store. */
  readonly lookup: TableLookup<TK, TV>;
  /** The table key to look up: the record's key for a KTable, the key selector's result for a global table. */
  readonly tableKey: (key: K, value: V) => TK | null | undefined;
  /** Global tables pass null keys to the key selector, which may still pick a row (KIP-962). */
  readonly selectNullKeys: boolean;
  readonly left: boolean;
  readonly joiner: (value: V, tableValue: TV | null) => VOut;
}

const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined;

/**
 * A KStream-KTable or KStream-GlobalKTable join (Kafka Streams' KStreamKTableJoinProcessor): each stream
 * record looks up the table's current value; an inner join forwards only hits, a left join every record
 * (with null on a miss). Table updates never trigger output. Records with a null value, and records whose
 * lookup key is null in an inner join, are dropped; a left join passes them on joined with null (KIP-962).
 */
export function kstreamKTableJoin<K, V, TK, TV, VOut>(
  spec: TableLookupJoinSpec<K, V, TK, TV, VOut>,
): ProcessorSupplier<K, V, K, VOut> {
  return () => {
    let context: ProcessorContext<K, VOut>;
    let lookup: (key: TK) => TV | null;
    return {
      init: (c) => {
        context = c;
        lookup = spec.lookup(c as ProcessorContext<unknown, unknown>);
      },
      process: (record) => {
        if (isNullish(record.value)) {
          context.recordDropped('null-key');
          return;
        }
        const tableKey = isNullish(record.key) && !spec.selectNullKeys ? null : spec.tableKey(record.key, record.value);
        if (isNullish(tableKey)) {
          if (spec.left) context.forward({ ...record, value: spec.joiner(record.value, null) });
          else context.recordDropped('null-key');
          return;
        }
        const tableValue = lookup(tableKey) ?? null;
        if (tableValue === null && !spec.left) return;
        context.forward({ ...record, value: spec.joiner(record.value, tableValue) });
      },
    };
  };
}

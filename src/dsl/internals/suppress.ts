import type { ProcessorSupplier } from '../../processor/processor.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import { ktableSuppress } from '../operators/ktable-suppress.ts';
import type { Change } from '../types.ts';
import type { Suppressed } from '../windows/suppressed.ts';
import { type DslGraph, dslError } from './dsl-graph.ts';
import type { TableState } from './ktable-impl.ts';
import { SuppressionBufferStoreBuilder } from './suppression-buffer-store.ts';

/**
 * Adds `KTable.suppress`: a KTABLE-SUPPRESS node and its buffer store (named `<name>-store` after a
 * Suppressed name, else KTABLE-SUPPRESS-STATE-STORE-n), as Kafka Streams names them. Returns the state of
 * the suppressed table, which is not queryable.
 */
export function addSuppress<K, V>(graph: DslGraph, table: TableState<K, V>, suppressed: Suppressed): TableState<K, V> {
  const window = table.window;
  if (window === undefined) {
    throw dslError(
      `suppress(untilWindowCloses) was called on table node "${table.nodeName}", which is not windowed.`,
      'Call it on the result of a windowed aggregation (groupByKey().windowedBy(...).count() and the like).',
    );
  }
  const name = suppressed.name ?? graph.newProcessorName('KTABLE-SUPPRESS-');
  const storeName = suppressed.name === undefined ? graph.newStoreName('KTABLE-SUPPRESS-') : `${suppressed.name}-store`;
  if (suppressed.name === undefined && suppressed.logging) {
    graph.noteGeneratedName({
      resource: 'state store',
      name: storeName,
      operator: name,
      fix: 'pass a name to Suppressed.untilWindowCloses',
    });
  }
  // The suppressed table's keys are Windowed: only the DSL's types know it, so the casts stay here.
  graph.topology.addProcessor(
    name,
    ktableSuppress<unknown, V>(storeName, window.closeAfterMs, suppressed.maxRecords) as unknown as ProcessorSupplier<
      K,
      Change<V>,
      K,
      Change<V>
    >,
    table.nodeName,
  );
  graph.topology.addStateStore(
    new SuppressionBufferStoreBuilder<unknown, V>(
      storeName,
      suppressed.logging,
      window,
      table.keySerde as Serde<Windowed<unknown>> | undefined,
      table.valueSerde,
    ),
    name,
  );
  return {
    nodeName: name,
    keySerde: table.keySerde,
    valueSerde: table.valueSerde,
    queryableStoreName: undefined,
    window,
  };
}

import { StreamsBuilder } from '../../../src/dsl/streams-builder.ts';
import type { Topology } from '../../../src/processor/topology.ts';
import { Serdes } from '../../../src/serdes/serdes.ts';

const str = Serdes.string();
const long = Serdes.long();

/** Topics of the key-totals app: string keys with a decimal number as value in, longs out. */
export interface KeyTotalsTopics {
  readonly input: string;
  readonly countOutput: string;
  readonly sumOutput: string;
}

/**
 * Count by key and sum by key over one input, each in a default store (persistent, cached, logged):
 * `counts` and `sums`, whose tables go to their own output topics. Used by the crash proof and the
 * recovery tests, in a child process and in the test process alike.
 */
export function keyTotalsTopology(topics: KeyTotalsTopics): Topology {
  const builder = new StreamsBuilder();
  const grouped = builder.stream(topics.input, { keySerde: str, valueSerde: str }).groupByKey();
  grouped.count({ storeName: 'counts' }).toStream().to(topics.countOutput, { valueSerde: long });
  grouped
    .aggregate<number>(
      () => 0,
      (_key, value, sum) => sum + Number(value),
      { storeName: 'sums', valueSerde: long },
    )
    .toStream()
    .to(topics.sumOutput, { valueSerde: long });
  return builder.build();
}

import { describe, expectTypeOf, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KStream, KTable, SessionWindowedKStream, TimeWindowedKStream, Windowed } from '../../src/dsl/types.ts';
import { SessionWindows } from '../../src/dsl/windows/session-windows.ts';
import { SlidingWindows } from '../../src/dsl/windows/sliding-windows.ts';
import { Suppressed } from '../../src/dsl/windows/suppressed.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';

describe('windowed types flow through the DSL', () => {
  const grouped = new StreamsBuilder().stream<string, number>('amounts').groupByKey();

  it('windowedBy picks the windowed stream by window kind', () => {
    expectTypeOf(grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(10))).toEqualTypeOf<
      TimeWindowedKStream<string, number>
    >();
    expectTypeOf(grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))).toEqualTypeOf<
      TimeWindowedKStream<string, number>
    >();
    expectTypeOf(grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))).toEqualTypeOf<
      SessionWindowedKStream<string, number>
    >();
  });

  it('windowed aggregations give tables keyed by Windowed<K>, and suppress keeps the types', () => {
    const counts = grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count();
    expectTypeOf(counts).toEqualTypeOf<KTable<Windowed<string>, number>>();
    expectTypeOf(counts.suppress(Suppressed.untilWindowCloses()).toStream()).toEqualTypeOf<
      KStream<Windowed<string>, number>
    >();
    const lists = grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).aggregate(
      () => [] as number[],
      (_key, value, list) => [...list, value],
      (_key, left, right) => [...left, ...right],
    );
    expectTypeOf(lists).toEqualTypeOf<KTable<Windowed<string>, number[]>>();
  });

  it('a session aggregate needs a merger', () => {
    const sessions = grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10));
    // @ts-expect-error the merger is required for session windows
    sessions.aggregate(
      () => 0,
      (_key, value, sum) => sum + value,
    );
  });
});

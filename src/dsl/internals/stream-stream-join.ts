import { Stores } from '../../state/stores.ts';
import type { WindowStoreBuilder } from '../../state/window/window-store-builder.ts';
import type { JoinWindows } from '../join-windows.ts';
import { OuterJoinStoreBuilder } from '../operators/kstream-join-outer-store.ts';
import { JoinTimeTrackers } from '../operators/kstream-join-time-tracker.ts';
import { kstreamJoinWindow } from '../operators/kstream-join-window.ts';
import { kstreamKStreamJoin } from '../operators/kstream-kstream-join.ts';
import { passThrough } from '../operators/pass-through.ts';
import type { StreamJoined } from '../options.ts';
import type { DslGraph, StreamState } from './dsl-graph.ts';
import { repartitionForJoin } from './join-repartition.ts';

export interface StreamStreamJoinSpec<K, V, VO, VR> {
  readonly left: StreamState<K, V>;
  readonly right: StreamState<K, VO>;
  readonly joiner: (left: V | null, right: VO | null) => VR;
  readonly windows: JoinWindows;
  readonly streamJoined: StreamJoined<K, V, VO> | undefined;
  /** Left records without a partner are emitted (leftJoin, outerJoin). */
  readonly leftOuter: boolean;
  /** Right records without a partner are emitted (outerJoin). */
  readonly rightOuter: boolean;
}

/**
 * Adds a KStream-KStream join as Kafka Streams' KStreamImplJoin does: each side goes through a
 * KSTREAM-WINDOWED node that buffers it in a window store (retaining duplicates), then a join node that
 * probes the other side's store; a KSTREAM-MERGE node unites both sides' results. Left and outer joins add
 * the shared store of records still waiting for a partner. Names, indexes and store names follow Kafka
 * Streams (a StreamJoined name still spends the generated indexes, as there). Returns the merged stream.
 */
export function addStreamStreamJoin<K, V, VO, VR>(
  graph: DslGraph,
  spec: StreamStreamJoinSpec<K, V, VO, VR>,
): StreamState<K, VR> {
  const { windows, streamJoined, leftOuter, rightOuter } = spec;
  const name = streamJoined?.name;
  const keySerde = streamJoined?.keySerde ?? spec.left.keySerde ?? spec.right.keySerde;
  const valueSerde = streamJoined?.valueSerde ?? spec.left.valueSerde;
  const otherValueSerde = streamJoined?.otherValueSerde ?? spec.right.valueSerde;

  const left = repartitionForJoin(
    graph,
    spec.left,
    name === undefined ? undefined : `${name}-left`,
    keySerde,
    valueSerde,
  );
  const right = repartitionForJoin(
    graph,
    spec.right,
    name === undefined ? undefined : `${name}-right`,
    keySerde,
    otherValueSerde,
  );

  const thisWindowedName = suffixedOrGenerated(graph, name, '-this-windowed', 'KSTREAM-WINDOWED-');
  const otherWindowedName = suffixedOrGenerated(graph, name, '-other-windowed', 'KSTREAM-WINDOWED-');
  const thisPrefix = rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-';
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const joinThisGenerated = graph.newProcessorName(thisPrefix);
  const joinOtherGenerated = graph.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const joinThisName = name === undefined ? joinThisGenerated : `${name}${thisSuffix}`;
  const joinOtherName = name === undefined ? joinOtherGenerated : `${name}${otherSuffix}`;
  const mergeName = suffixedOrGenerated(graph, name, '-merge', 'KSTREAM-MERGE-');

  const storeBase = streamJoined?.storeName;
  const thisStoreName = `${storeBase === undefined ? joinThisGenerated : storeBase + thisSuffix}-store`;
  const otherStoreName = `${storeBase === undefined ? joinOtherGenerated : storeBase + otherSuffix}-store`;
  const outerStoreName = !leftOuter
    ? undefined
    : storeBase === undefined
      ? `KSTREAM-OUTERSHARED-${joinThisGenerated.slice(thisPrefix.length)}-store`
      : `${storeBase}${rightOuter ? '-outer-shared-join' : '-left-shared-join'}-store`;
  if (storeBase === undefined) {
    for (const store of [thisStoreName, otherStoreName, outerStoreName]) {
      if (store === undefined) continue;
      graph.noteGeneratedName({
        resource: 'state store',
        name: store,
        operator: joinThisName,
        fix: 'pass StreamJoined with a storeName to the join',
      });
    }
  }

  const trackers = new JoinTimeTrackers();
  const waitingSides = { left: leftOuter, right: rightOuter };
  const sideSpec = { outerStoreName, waitingSides, windows, trackers, joiner: spec.joiner };
  const topology = graph.topology;
  topology
    .addProcessor(
      thisWindowedName,
      kstreamJoinWindow<K, V>({ storeName: thisStoreName, trackers, closesAfterMs: windows.afterMs + windows.graceMs }),
      left.nodeName,
    )
    .addProcessor(
      otherWindowedName,
      kstreamJoinWindow<K, VO>({
        storeName: otherStoreName,
        trackers,
        closesAfterMs: windows.beforeMs + windows.graceMs,
      }),
      right.nodeName,
    )
    .addProcessor(
      joinThisName,
      kstreamKStreamJoin<K, V, VO, VR>({ ...sideSpec, side: 'left', otherStoreName, outer: leftOuter }),
      thisWindowedName,
    )
    .addProcessor(
      joinOtherName,
      kstreamKStreamJoin<K, V, VO, VR>({
        ...sideSpec,
        side: 'right',
        otherStoreName: thisStoreName,
        outer: rightOuter,
      }),
      otherWindowedName,
    )
    .addProcessor(mergeName, passThrough<K, VR>(), joinThisName, joinOtherName)
    .addStateStore(joinBufferStore(thisStoreName, windows, spec, keySerde, valueSerde), thisWindowedName, joinOtherName)
    .addStateStore(
      joinBufferStore(otherStoreName, windows, spec, keySerde, otherValueSerde),
      otherWindowedName,
      joinThisName,
    );
  if (outerStoreName !== undefined) {
    const outerStore = new OuterJoinStoreBuilder({
      name: outerStoreName,
      keySerde,
      valueSerde,
      otherValueSerde,
      persistent: streamJoined?.storeType !== 'in-memory',
      logging: streamJoined?.logging !== false,
      loggingConfigs: streamJoined?.loggingConfigs ?? {},
    });
    topology.addStateStore(outerStore, joinThisName, joinOtherName);
  }
  return { nodeName: mergeName, keySerde, valueSerde: undefined, repartitionRequired: false };
}

/**
 * One side's buffer. A record at t is probed by the other side's records up to stream time
 * t + 2 * max(before, after) + grace (the latest partner that is not late), so it is kept that long.
 */
function joinBufferStore<K, V, VO, VR, T>(
  storeName: string,
  windows: JoinWindows,
  spec: StreamStreamJoinSpec<K, V, VO, VR>,
  keySerde: StreamState<K, unknown>['keySerde'],
  valueSerde: StreamState<unknown, T>['valueSerde'],
): WindowStoreBuilder<K, T> {
  const options = {
    windowSizeMs: Math.max(1, windows.sizeMs),
    retentionMs: 2 * Math.max(windows.beforeMs, windows.afterMs, 0) + windows.graceMs + 1,
    retainDuplicates: true,
  };
  const supplier =
    spec.streamJoined?.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(storeName, options)
      : Stores.persistentWindowStore(storeName, options);
  const builder = Stores.windowStoreBuilder<K, T>(supplier, keySerde, valueSerde);
  return spec.streamJoined?.logging === false
    ? builder.withLoggingDisabled()
    : builder.withLoggingEnabled(spec.streamJoined?.loggingConfigs ?? {});
}

/** The user's name plus a suffix, or a generated name; the index is spent either way, as in Kafka Streams. */
function suffixedOrGenerated(graph: DslGraph, name: string | undefined, suffix: string, prefix: string): string {
  const generated = graph.newProcessorName(prefix);
  return name === undefined ? generated : `${name}${suffix}`;
}

import type { Topology } from '../../../src/processor/topology.ts';
import { Serdes } from '../../../src/serdes/serdes.ts';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.ts';

/** A driver whose default serdes are strings, so tests only name serdes where they matter. */
export function stringDriver(topology: Topology): TopologyTestDriver {
  return new TopologyTestDriver(topology, {
    applicationId: 'dsl-test',
    defaultKeySerde: Serdes.string() as never,
    defaultValueSerde: Serdes.string() as never,
    initialWallClockTimeMs: 0,
  });
}

export const str = Serdes.string();

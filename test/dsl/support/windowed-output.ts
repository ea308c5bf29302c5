import type { Deserializer } from '../../../src/serdes/serde.ts';
import type { Windowed } from '../../../src/serdes/windowed.ts';
import type { TopologyTestDriver } from '../../../src/testing/topology-test-driver.ts';

/** Reads a windowed output topic as `key@[start,end]=value` lines, so expectations read at a glance. */
export function readWindowed<K, V>(
  driver: TopologyTestDriver,
  topic: string,
  keySerde: Deserializer<Windowed<K>>,
  valueSerde: Deserializer<V>,
): string[] {
  return driver
    .createOutputTopic(topic, keySerde, valueSerde)
    .readKeyValuesToList()
    .map(({ key, value }) => `${String(key?.key)}@[${key?.window.start},${key?.window.end}]=${JSON.stringify(value)}`);
}

import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyTestDriver } from '../src/index.ts';

// The example in README.md, kept honest: if this test changes, change the README too.
function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('sentences', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .flatMapValues((sentence) => sentence.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('word-counts-output', { keySerde: Serdes.string(), valueSerde: Serdes.long() });
  return builder.build();
}

describe('the README example', () => {
  it('counts words through a repartition topic', async () => {
    const driver = new TopologyTestDriver(wordCount());
    const sentences = driver.createInputTopic('sentences', Serdes.string(), Serdes.string());
    const counts = driver.createOutputTopic('word-counts-output', Serdes.string(), Serdes.long());

    sentences.pipeInput('s1', 'Events are facts');
    sentences.pipeInput('s2', 'facts are immutable');

    expect(counts.readKeyValuesToMap()).toEqual(
      new Map([
        ['events', 1],
        ['are', 2],
        ['facts', 2],
        ['immutable', 1],
      ]),
    );
    expect(driver.getKeyValueStore<string, number>('word-counts').get('facts')).toBe(2);
    await driver.close();
  });
});

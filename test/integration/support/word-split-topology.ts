import type { ProcessorContext } from '../../../src/processor/processor-context.ts';
import { Topology } from '../../../src/processor/topology.ts';
import { jsonSerde } from '../../../src/serdes/json-serde.ts';
import { stringSerde } from '../../../src/serdes/string-serde.ts';

/** An input line: its id and space-separated words. */
export interface Line {
  readonly id: number;
  readonly text: string;
}

/** The words of line `id`: every test checks that each of them reaches the output. */
export function wordsOf(id: number): string[] {
  return [`${id}-alpha`, `${id}-beta`];
}

export function lineFor(id: number): Line {
  return { id, text: wordsOf(id).join(' ') };
}

/**
 * The stateless word split, built with the Processor API: JSON lines in, one string record per word out,
 * keyed like its line.
 */
export function wordSplitTopology(input: string, output: string): Topology {
  return new Topology()
    .addSource('lines', input, { keyDeserializer: stringSerde(), valueDeserializer: jsonSerde<Line>() })
    .addProcessor<string, Line, string, string>(
      'split',
      () => {
        let context: ProcessorContext<string, string>;
        return {
          init: (c) => {
            context = c;
          },
          process: (record) => {
            for (const word of record.value.text.split(' ')) context.forward({ ...record, value: word });
          },
        };
      },
      'lines',
    )
    .addSink('words', output, { keySerializer: stringSerde(), valueSerializer: stringSerde() }, 'split');
}

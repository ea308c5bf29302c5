import { StreamsBuilder } from '../src/dsl/index.ts';
import type { Topology } from '../src/processor/index.ts';
import { Serdes } from '../src/serdes/index.ts';

/** One input record in this many is dropped by the filter (sequence numbers ending in 999: 0.1 %). */
export const dropOneIn = 1000;

/** The filter's rule, by the sequence number the loader writes in the first 4 bytes of every value. */
export function keepsSequence(sequence: number): boolean {
  return sequence % dropOneIn !== dropOneIn - 1;
}

/** How many of the records with sequence numbers 0 .. records-1 the topology writes to its output. */
export function expectedOutput(records: number): number {
  let kept = 0;
  for (let sequence = 0; sequence < records; sequence++) if (keepsSequence(sequence)) kept++;
  return kept;
}

/** The bytes of each value that mapValues rewrites. */
const upperFrom = 4;
const upperTo = 36;

/** A copy of the value with the ASCII letters of bytes 4..35 in upper case: real but light work per record. */
export function upperCaseSlice(value: Buffer): Buffer {
  const copy = Buffer.from(value);
  const end = Math.min(upperTo, copy.length);
  for (let i = upperFrom; i < end; i++) {
    const byte = copy[i] as number;
    if (byte >= 0x61 && byte <= 0x7a) copy[i] = byte - 0x20;
  }
  return copy;
}

/**
 * `stream(input).filter(...).mapValues(...).to(output)` with string keys and bytes values. `onInput` is
 * called for every input record (from the filter), so the worker knows when it has seen the whole input.
 */
export function statelessTopology(input: string, output: string, onInput: () => void): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.string(), valueSerde: Serdes.bytes() })
    .filter((_key, value) => {
      onInput();
      return keepsSequence(value.readUInt32BE(0));
    })
    .mapValues((value) => upperCaseSlice(value))
    .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.bytes() });
  return builder.build();
}

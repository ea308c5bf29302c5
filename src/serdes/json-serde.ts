import type { Serde } from './serde.ts';
import { deserializationFailed, serializationFailed } from './serde-errors.ts';

export interface JsonSerdeOptions {
  /** Passed to `JSON.parse`, e.g. to turn ISO strings back into Dates. */
  readonly reviver?: (key: string, value: unknown) => unknown;
}

/**
 * UTF-8 JSON. The type parameter is a promise the caller makes about the data, not a runtime check.
 * Malformed bytes fail with `SERDE_DESERIALIZATION_FAILED` naming the topic and the parser's reason.
 */
export function jsonSerde<T>(options: JsonSerdeOptions = {}): Serde<T> {
  const { reviver } = options;
  return {
    serialize(topic, value) {
      if (value === null || value === undefined) return null;
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (error) {
        throw serializationFailed(
          'Serdes.json()',
          topic,
          `JSON.stringify failed (${errorMessage(error)})`,
          'JSON cannot hold bigint values or circular references; convert them (e.g. bigint to string) before producing.',
          error,
        );
      }
      if (text === undefined) {
        throw serializationFailed(
          'Serdes.json()',
          topic,
          `a value of type ${typeof value} has no JSON form`,
          'Pass a plain object, array, string, number or boolean.',
        );
      }
      return Buffer.from(text, 'utf8');
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        return JSON.parse(data.toString('utf8'), reviver) as T;
      } catch (error) {
        throw deserializationFailed(
          'Serdes.json()',
          topic,
          `the ${data.length} bytes are not valid JSON (${errorMessage(error)})`,
          'Check that the producers of this topic write UTF-8 JSON, or configure the serde that matches what they write.',
          error,
        );
      }
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

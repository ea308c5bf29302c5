import type { AvroSchema } from './avro-schema.ts';
import { parseAvroSchema } from './avro-schema.ts';

/**
 * Where a deserializer finds the writer schema of a message. Single-object encoding identifies it by its
 * CRC-64-AVRO fingerprint; a Confluent-style framing would use the registry's schema id. Lookups are
 * synchronous because serdes are: a store backed by a remote registry must fetch ahead and cache.
 */
export interface AvroSchemaStore {
  /** The writer schema registered under `id`, or undefined when it is unknown. */
  schemaFor(id: bigint | number): AvroSchema | undefined;
}

/** A store that serdes may add their own writer schema to, so serdes sharing the store read each other. */
export interface WritableAvroSchemaStore extends AvroSchemaStore {
  /** Adds `schema` and returns its id (here: its fingerprint). Adding a schema twice is harmless. */
  register(schema: AvroSchema): bigint;
}

/** Writer schemas in memory, keyed by the fingerprint of their Parsing Canonical Form. */
export class InMemorySchemaStore implements WritableAvroSchemaStore {
  readonly #schemas = new Map<bigint, AvroSchema>();

  constructor(schemas: Iterable<AvroSchema> = []) {
    for (const schema of schemas) this.register(schema);
  }

  register(schema: AvroSchema): bigint {
    const { fingerprint } = parseAvroSchema(schema);
    if (!this.#schemas.has(fingerprint)) this.#schemas.set(fingerprint, schema);
    return fingerprint;
  }

  schemaFor(id: bigint | number): AvroSchema | undefined {
    return typeof id === 'bigint' ? this.#schemas.get(id) : undefined;
  }

  get size(): number {
    return this.#schemas.size;
  }
}

export function isWritableSchemaStore(store: AvroSchemaStore): store is WritableAvroSchemaStore {
  return typeof (store as Partial<WritableAvroSchemaStore>).register === 'function';
}

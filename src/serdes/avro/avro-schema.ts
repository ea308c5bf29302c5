import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import { KStreamsError } from '../../errors.ts';
import { rabinFingerprint64 } from './rabin-fingerprint.ts';

/**
 * An Avro schema as JSON: a type name (`"string"`, `"com.acme.Order"`), an object (record, enum, ...) or a
 * union array. Kept structural so that callers need no avsc types.
 */
export type AvroSchema = string | { readonly [key: string]: unknown } | readonly AvroSchema[];

/** A schema with its Parsing Canonical Form and the CRC-64-AVRO fingerprint of that form. */
export interface AvroSchemaInfo {
  readonly schema: AvroSchema;
  readonly canonicalForm: string;
  readonly fingerprint: bigint;
}

/** A schema parsed once, with its avsc type (kept inside this folder: avsc's types are not public API). */
export interface ParsedAvroSchema extends AvroSchemaInfo {
  readonly type: avsc.Type;
}

/** Parses a schema; throws `CONFIG_INVALID` naming `source` when it is not valid Avro. */
export function parseAvroSchema(schema: AvroSchema, source = 'the Avro schema'): ParsedAvroSchema {
  let type: avsc.Type;
  try {
    type = avsc.Type.forSchema(schema as Parameters<typeof avsc.Type.forSchema>[0]);
  } catch (error) {
    throw new KStreamsError('CONFIG_INVALID', `${source} is not a valid Avro schema: ${(error as Error).message}.`, {
      hint: 'Fix the schema (see https://avro.apache.org/docs/current/specification/), e.g. give every record a name and every field a type.',
      cause: error,
    });
  }
  // avsc's default schema() is the Parsing Canonical Form (full names, no docs/defaults, fixed key order).
  const canonicalForm = JSON.stringify(type.schema());
  return { schema, type, canonicalForm, fingerprint: rabinFingerprint64(canonicalForm) };
}

/** The Parsing Canonical Form and fingerprint of `schema`; throws `CONFIG_INVALID` when it is not valid Avro. */
export function avroSchemaInfo(schema: AvroSchema): AvroSchemaInfo {
  const { canonicalForm, fingerprint } = parseAvroSchema(schema);
  return { schema, canonicalForm, fingerprint };
}

/**
 * Accepts a schema, JSON text of a schema, or the path of an `.avsc` file (read once, synchronously, when
 * the serde is created).
 */
export function loadAvroSchema(schemaOrPath: AvroSchema): { schema: AvroSchema; source: string } {
  if (typeof schemaOrPath !== 'string') return { schema: schemaOrPath, source: 'the Avro schema' };
  if (schemaOrPath.endsWith('.avsc')) {
    const source = `the Avro schema file "${schemaOrPath}"`;
    let text: string;
    try {
      text = readFileSync(schemaOrPath, 'utf8');
    } catch (error) {
      throw new KStreamsError('CONFIG_INVALID', `Could not read ${source}: ${(error as Error).message}.`, {
        hint: 'Check the path; a relative path is resolved from the working directory of the process.',
        cause: error,
      });
    }
    return { schema: parseJson(text, source), source };
  }
  const first = schemaOrPath.trimStart()[0];
  if (first === '{' || first === '[' || first === '"') {
    return { schema: parseJson(schemaOrPath, 'the Avro schema text'), source: 'the Avro schema text' };
  }
  return { schema: schemaOrPath, source: `the Avro schema "${schemaOrPath}"` };
}

function parseJson(text: string, source: string): AvroSchema {
  try {
    return JSON.parse(text) as AvroSchema;
  } catch (error) {
    throw new KStreamsError('CONFIG_INVALID', `${source} is not valid JSON: ${(error as Error).message}.`, {
      hint: 'An .avsc file holds one Avro schema as JSON; fix the syntax error.',
      cause: error,
    });
  }
}

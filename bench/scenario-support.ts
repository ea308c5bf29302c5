import { parseArgs } from 'node:util';
import { KStreamsError } from '../src/errors.ts';
import { type AdapterName, adapterNames } from '../src/kafka/index.ts';

/** One benchmark scenario: `npm run bench -- <name> [options]`. */
export interface BenchScenario {
  readonly name: string;
  /** Its options, shown by `--help` and in usage errors. */
  readonly usage: string;
  run(argv: readonly string[]): Promise<void>;
}

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

/** Parses `--flag value` options strictly: an unknown flag or a stray argument is a usage error. */
export function parseFlags(argv: readonly string[], spec: FlagSpec, usage: string): Map<string, string | boolean> {
  try {
    const { values } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false });
    return new Map(
      Object.entries(values).filter((entry): entry is [string, string | boolean] => entry[1] !== undefined),
    );
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), usage);
  }
}

export function usageError(message: string, usage: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint: `\n${usage}` });
}

/** A whole number flag within [min, max], or the fallback when the flag is absent. */
export function integerFlag(
  flags: ReadonlyMap<string, string | boolean>,
  name: string,
  fallback: number,
  usage: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(String(raw).replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min || value > max) {
    throw usageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}".`, usage);
  }
  return value;
}

/** The adapters named by --adapters (comma-separated), every adapter when the flag is absent. */
export function adaptersFlag(flags: ReadonlyMap<string, string | boolean>, usage: string): readonly AdapterName[] {
  const names = String(flags.get('adapters') ?? adapterNames.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  for (const name of names) {
    if (!(adapterNames as readonly string[]).includes(name)) {
      throw usageError(`Unknown adapter "${name}" in --adapters; use ${adapterNames.join(', ')}.`, usage);
    }
  }
  if (names.length === 0) throw usageError('--adapters names no adapter.', usage);
  return [...new Set(names)] as AdapterName[];
}

/** The message of an error and of its causes (and of the errors it aggregates), for one-line failure reports. */
export function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0 && depth < 6) {
    text += ` [${nested.map((inner: unknown) => describeError(inner, depth + 1)).join('; ')}]`;
  }
  if (error.cause !== undefined && depth < 6) text += ` <- caused by: ${describeError(error.cause, depth + 1)}`;
  return text;
}

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isKStreamsError, KStreamsError, reasonOf } from '../errors.ts';
import type { HttpServerOptions } from '../http/index.ts';
import { adapterNames } from '../kafka/index.ts';
import { parseHostInfo } from '../runtime/application-server.ts';
import { silentLogger } from '../runtime/logger.ts';
import { resolveStreamsConfig, type StreamsConfig, streamsConfigKeys } from '../runtime/streams-config.ts';
import type { ServiceDefinition } from './service.ts';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** The HTTP settings a config file may set (routes and wait conditions come from the service). */
export type RunHttpOptions = Omit<HttpServerOptions, 'routes' | 'waitConditions'> & {
  readonly port: number;
  readonly host: string;
};

/** Everything `kstreams run` needs, every default applied and every value checked. */
export interface RunConfig {
  /** Without a logger: the runner adds its own. */
  readonly streams: StreamsConfig & { readonly applicationServer: string };
  readonly http: RunHttpOptions;
  /** Bound on the whole shutdown after a signal (HTTP, app close, producer). Default 30000. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
}

export interface RunConfigSources {
  readonly service: ServiceDefinition;
  /** The parsed JSON config file, if one was given. */
  readonly file?: unknown;
  /** Names the file in errors. */
  readonly fileName?: string;
  readonly env: NodeJS.ProcessEnv;
}

export const runConfigDefaults = {
  bootstrapServers: '127.0.0.1:9092',
  httpHost: '127.0.0.1',
  httpPort: 8080,
  shutdownTimeoutMs: 30_000,
  logLevel: 'info',
} as const;

type Check = (value: unknown) => string | undefined;

const integerIn =
  (min: number, max: number = Number.MAX_SAFE_INTEGER): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? undefined
      : max === Number.MAX_SAFE_INTEGER
        ? `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;

const nonEmptyString: Check = (value) =>
  typeof value === 'string' && value.trim() !== '' ? undefined : 'a non-empty string';

const httpSchema: Readonly<Record<keyof RunHttpOptions, Check>> = {
  port: integerIn(1, 65_535),
  host: nonEmptyString,
  bearerToken: nonEmptyString,
  requestTimeoutMs: integerIn(1),
  headersTimeoutMs: integerIn(1),
  bodyLimitBytes: integerIn(1),
  maxLongPolls: integerIn(1),
  maxWaitMs: integerIn(0),
  maxRangeLimit: integerIn(1),
  forwardTimeoutMs: integerIn(1),
};

const runnerSchema: Readonly<Record<'shutdownTimeoutMs' | 'logLevel', Check>> = {
  shutdownTimeoutMs: integerIn(0),
  logLevel: (value) =>
    typeof value === 'string' && (logLevels as readonly string[]).includes(value)
      ? undefined
      : `one of ${logLevels.join(', ')}`,
};

// Functions and serdes cannot be written in JSON: they belong in the service module's config.
const codeOnlyKeys: readonly string[] = ['logger', 'defaultKeySerde', 'defaultValueSerde'];

function invalid(message: string, hint: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint });
}

/** Reads and parses a JSON config file, naming the file and the problem when it cannot. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`Cannot read config file "${path}": ${reasonOf(error)}`, 'Pass the path of a readable JSON file.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`Config file "${path}" is not valid JSON: ${reasonOf(error)}`, 'Fix the JSON syntax.');
  }
}

function checkValue(check: Check, value: unknown, key: string, source: string): void {
  const allowed = check(value);
  if (allowed !== undefined) {
    throw invalid(`In ${source}, "${key}" has an invalid value ${JSON.stringify(value)}.`, `Use ${allowed}.`);
  }
}

interface FileConfig {
  readonly streams: Record<string, unknown>;
  readonly http: Record<string, unknown>;
  readonly runner: Record<string, unknown>;
}

function splitFile(file: unknown, source: string): FileConfig {
  if (file === undefined) return { streams: {}, http: {}, runner: {} };
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw invalid(`The ${source} is not a JSON object.`, 'Write an object such as { "commitIntervalMs": 1000 }.');
  }
  const streams: Record<string, unknown> = {};
  const runner: Record<string, unknown> = {};
  let http: Record<string, unknown> = {};
  const allowed = [
    ...streamsConfigKeys.filter((key) => !codeOnlyKeys.includes(key)),
    'http',
    ...Object.keys(runnerSchema),
  ];
  for (const [key, value] of Object.entries(file)) {
    if (codeOnlyKeys.includes(key)) {
      throw invalid(
        `In ${source}, "${key}" cannot be set: JSON cannot hold it.`,
        "Set it in the service module's config.",
      );
    }
    if (key === 'http') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw invalid(`In ${source}, "http" is not an object.`, 'Write it as { "port": 8080, "host": "127.0.0.1" }.');
      }
      for (const [httpKey, httpValue] of Object.entries(value)) {
        const check = httpSchema[httpKey as keyof RunHttpOptions];
        if (check === undefined) {
          throw invalid(
            `In ${source}, unknown key "http.${httpKey}".`,
            `Known http keys: ${Object.keys(httpSchema).join(', ')}.`,
          );
        }
        checkValue(check, httpValue, `http.${httpKey}`, source);
      }
      http = { ...value };
    } else if (key in runnerSchema) {
      checkValue(runnerSchema[key as keyof typeof runnerSchema], value, key, source);
      runner[key] = value;
    } else if ((streamsConfigKeys as readonly string[]).includes(key)) {
      streams[key] = value;
    } else {
      throw invalid(`In ${source}, unknown key "${key}".`, `Known keys: ${allowed.join(', ')}.`);
    }
  }
  return { streams, http, runner };
}

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number, max?: number): number | undefined {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const allowed = integerIn(min, max)(value);
  if (allowed !== undefined) {
    throw invalid(`Environment variable ${name} has an invalid value "${text}".`, `Set ${name} to ${allowed}.`);
  }
  return value;
}

function envString(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

function envOneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const text = envString(env, name);
  if (text !== undefined && !(allowed as readonly string[]).includes(text)) {
    throw invalid(
      `Environment variable ${name} has an invalid value "${text}".`,
      `Set ${name} to one of ${allowed.join(', ')}.`,
    );
  }
  return text as T | undefined;
}

/** A wildcard listen address is not reachable: other instances get this machine's name instead. */
function advertisedHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? hostname() : host;
}

/**
 * Merges the run configuration. Precedence, lowest first: built-in defaults, the service's config, the
 * config file, the environment. Unknown keys and bad values are CONFIG_INVALID errors naming the key and
 * where it was set.
 */
export function resolveRunConfig(sources: RunConfigSources): RunConfig {
  const { service, env } = sources;
  const fileSource = `config file "${sources.fileName ?? 'config'}"`;
  const file = splitFile(sources.file, fileSource);

  const envStreams: Record<string, unknown> = {};
  const envSource: Record<string, string> = {};
  const fromEnv = (key: keyof StreamsConfig, variable: string, value: unknown): void => {
    if (value === undefined) return;
    envStreams[key] = value;
    envSource[key] = `environment variable ${variable}`;
  };
  fromEnv('bootstrapServers', 'KAFKA_BROKERS', envString(env, 'KAFKA_BROKERS'));
  fromEnv('stateDir', 'STATE_DIR', envString(env, 'STATE_DIR'));
  fromEnv('clientAdapter', 'KSTREAMS_ADAPTER', envOneOf(env, 'KSTREAMS_ADAPTER', adapterNames));
  fromEnv('applicationId', 'APPLICATION_ID', envString(env, 'APPLICATION_ID'));
  fromEnv('applicationServer', 'APPLICATION_SERVER', envString(env, 'APPLICATION_SERVER'));

  const http: RunHttpOptions = {
    ...(file.http as Partial<RunHttpOptions>),
    port:
      envInteger(env, 'HTTP_PORT', 1, 65_535) ?? (file.http.port as number | undefined) ?? runConfigDefaults.httpPort,
    host: envString(env, 'HTTP_HOST') ?? (file.http.host as string | undefined) ?? runConfigDefaults.httpHost,
  };
  const bearerToken = envString(env, 'HTTP_BEARER_TOKEN');
  const httpOptions: RunHttpOptions = bearerToken === undefined ? http : { ...http, bearerToken };

  const merged: Record<string, unknown> = {
    bootstrapServers: runConfigDefaults.bootstrapServers,
    ...service.config,
    applicationId: service.config?.applicationId ?? service.applicationId,
    ...file.streams,
    ...envStreams,
  };
  merged.applicationServer ??= `${advertisedHost(httpOptions.host)}:${httpOptions.port}`;
  try {
    resolveStreamsConfig({ ...(merged as unknown as StreamsConfig), logger: silentLogger });
  } catch (error) {
    const key = isKStreamsError(error, 'CONFIG_INVALID') ? /"(\w+)"/.exec(error.reason)?.[1] : undefined;
    const source =
      key === undefined
        ? undefined
        : (envSource[key] ?? (key in file.streams ? fileSource : undefined) ?? 'the service config');
    if (source === undefined || !isKStreamsError(error)) throw error;
    throw new KStreamsError('CONFIG_INVALID', `${error.reason} (set by ${source})`, { hint: error.hint, cause: error });
  }
  const endpoint = parseHostInfo(merged.applicationServer as string)!;
  if (endpoint.port !== httpOptions.port) {
    throw invalid(
      `The advertised applicationServer "${String(merged.applicationServer)}" has port ${endpoint.port}, but the HTTP server listens on ${httpOptions.port}.`,
      'Make the ports equal (HTTP_PORT or http.port, and APPLICATION_SERVER or applicationServer), or leave applicationServer unset.',
    );
  }

  const shutdownTimeoutMs =
    envInteger(env, 'SHUTDOWN_TIMEOUT_MS', 0) ??
    (file.runner.shutdownTimeoutMs as number | undefined) ??
    runConfigDefaults.shutdownTimeoutMs;
  const logLevel =
    envOneOf(env, 'LOG_LEVEL', logLevels) ??
    (file.runner.logLevel as LogLevel | undefined) ??
    runConfigDefaults.logLevel;
  const { logger: _ignored, ...streams } = merged as unknown as StreamsConfig & { applicationServer: string };
  return { streams, http: httpOptions, shutdownTimeoutMs, logLevel };
}

import { pino } from 'pino';
import type { Logger } from '../runtime/logger.ts';
import { formatLogLine } from './format-log-line.ts';
import type { LogLevel } from './run-config.ts';

export interface PinoLoggerOptions {
  readonly level: LogLevel;
  /** One readable line per entry instead of JSON (for a terminal). */
  readonly pretty: boolean;
  /** Where lines go; default stdout. */
  readonly write?: (line: string) => void;
}

/** The runtime's Logger on pino: JSON lines (`time`, `level` as a name, `msg`, fields), or readable lines. */
export function createPinoLogger(options: PinoLoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const destination = {
    write: options.pretty
      ? (line: string) => write(`${formatLogLine(JSON.parse(line) as Record<string, unknown>)}\n`)
      : write,
  };
  const logger = pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      if (fields === undefined) logger[level](message);
      else logger[level]({ ...fields }, message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

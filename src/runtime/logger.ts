/** The logging seam: the runtime logs through this; the runner plugs in a JSON logger. */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const write =
  (level: string, stream: NodeJS.WriteStream) =>
  (message: string, fields?: Readonly<Record<string, unknown>>): void => {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
  };

/** One JSON line per entry on stderr; debug is dropped unless asked for. */
export function consoleLogger(options: { readonly debug?: boolean } = {}): Logger {
  return {
    debug: options.debug === true ? write('debug', process.stderr) : () => undefined,
    info: write('info', process.stderr),
    warn: write('warn', process.stderr),
    error: write('error', process.stderr),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

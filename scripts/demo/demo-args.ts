import { KStreamsError } from '../../src/errors.ts';

export interface DemoOptions {
  /** The orders service's HTTP port; the other services take the ports after it. */
  readonly port: number;
  /** Orders posted per second. */
  readonly rate: number;
  /** Seconds of load before stopping on its own; undefined: until Ctrl-C. */
  readonly durationS: number | undefined;
}

export const demoDefaults = { port: 8080, rate: 10 } as const;

export const demoUsage = `Usage: npm start -- [--port <n>] [--rate <orders/s>] [--duration <s>]
  --port      HTTP port of the orders service (DEMO_PORT, default ${demoDefaults.port}); other services use the next ports
  --rate      orders posted per second (DEMO_RATE, default ${demoDefaults.rate})
  --duration  stop after this many seconds of load (DEMO_DURATION, default: run until Ctrl-C)`;

function invalid(message: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint: demoUsage });
}

function numberOption(name: string, text: string, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  const ok = Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok || text.trim() === '') {
    throw invalid(`--${name} is "${text}", which is not ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
  }
  return value;
}

/** Reads the demo options from the command line, then the environment, then the defaults. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const given = new Map<string, string>();
  for (const [name, variable] of [
    ['port', 'DEMO_PORT'],
    ['rate', 'DEMO_RATE'],
    ['duration', 'DEMO_DURATION'],
  ] as const) {
    const value = env[variable]?.trim();
    if (value) given.set(name, value);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const match = /^--(port|rate|duration)(?:=(.*))?$/.exec(arg);
    if (match === null) throw invalid(`Unknown argument "${arg}".`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw invalid(`${arg} needs a value.`);
    given.set(match[1] as string, value);
  }
  const port = given.get('port');
  const rate = given.get('rate');
  const duration = given.get('duration');
  return {
    port: port === undefined ? demoDefaults.port : numberOption('port', port, 1, 65_535 - 16, true),
    rate: rate === undefined ? demoDefaults.rate : numberOption('rate', rate, 0.1, 10_000, false),
    durationS: duration === undefined ? undefined : numberOption('duration', duration, 1, 7 * 24 * 3600, false),
  };
}

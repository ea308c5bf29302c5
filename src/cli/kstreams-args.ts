import { KStreamsError } from '../errors.ts';
import { type AdapterName, adapterNames } from '../kafka/index.ts';
import { streamsConfigDefaults } from '../runtime/index.ts';

export interface RunCommand {
  readonly command: 'run';
  /** The service module's path, relative to the working directory. */
  readonly module: string;
  readonly configFile: string | undefined;
}

export const describeFormats = ['text', 'mermaid'] as const;
export type DescribeFormat = (typeof describeFormats)[number];

export interface DescribeCommand {
  readonly command: 'describe';
  readonly module: string;
  readonly format: DescribeFormat;
}

export interface ResetCommand {
  readonly command: 'reset';
  readonly applicationId: string;
  readonly yes: boolean;
  readonly stateDir: string;
  readonly brokers: readonly string[];
  readonly adapter: AdapterName;
}

export type KStreamsCommand = RunCommand | DescribeCommand | ResetCommand;

const commandUsage = {
  run: 'kstreams run <service module> [--config <file.json>]',
  describe: `kstreams describe <service module> [--format <${describeFormats.join('|')}>]`,
  reset: `kstreams reset <application.id> [--yes] [--state-dir <dir>] [--brokers <host:port,...>] [--adapter <${adapterNames.join('|')}>]`,
} as const;
type CommandName = keyof typeof commandUsage;

export const usage = `Usage: ${commandUsage.run}
       ${commandUsage.describe}
       ${commandUsage.reset}

  run       Runs a service module (its default or \`service\` export, made with defineService): creates its
            topics when missing, serves its interactive queries and routes over HTTP, and processes until
            SIGTERM or SIGINT, then commits, closes its stores and leaves the group.
            Config, lowest precedence first: built-in defaults, the service's config, the --config file
            (StreamsConfig keys, plus "http": { port, host, bearerToken, ... }, "shutdownTimeoutMs" and
            "logLevel"), then the environment: KAFKA_BROKERS, STATE_DIR, HTTP_PORT, HTTP_HOST,
            HTTP_BEARER_TOKEN, APPLICATION_SERVER, APPLICATION_ID, KSTREAMS_ADAPTER, LOG_LEVEL
            (debug|info|warn|error), SHUTDOWN_TIMEOUT_MS. Logs are JSON lines, one readable line per entry in a
            terminal.
  describe  Prints the service's topology: Kafka Streams' text description, or a Mermaid flowchart.
  reset     Deletes the application's internal topics (changelogs, repartition topics), its consumer group
            (committed offsets: the next start reads its input from the beginning) and its local state.
            Asks for confirmation unless --yes.`;

function invalid(message: string, command?: CommandName): KStreamsError {
  const hint =
    command === undefined
      ? `Run one of: ${Object.values(commandUsage).join(' | ')}.`
      : `Run as: ${commandUsage[command]}`;
  return new KStreamsError('CONFIG_INVALID', message, { hint });
}

/** One argument list walked flag by flag; `--flag value` and `--flag=value` are both accepted. */
function eachArgument(
  command: CommandName,
  args: readonly string[],
  onFlag: (flag: string, value: () => string) => boolean,
): string[] {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined || next === '') throw invalid(`${flag} needs a value.`, command);
      return next;
    };
    if (onFlag(flag!, value)) continue;
    if (arg.startsWith('-')) throw invalid(`Unknown option "${arg}".`, command);
    positional.push(arg);
  }
  return positional;
}

function oneModule(command: 'run' | 'describe', positional: readonly string[]): string {
  if (positional.length !== 1) {
    throw invalid(
      positional.length === 0
        ? `${command} needs a service module.`
        : `${command} takes one service module, got ${positional.length}.`,
      command,
    );
  }
  return positional[0]!;
}

function parseRun(args: readonly string[]): RunCommand {
  let configFile: string | undefined;
  const positional = eachArgument('run', args, (flag, value) => {
    if (flag !== '--config' && flag !== '-c') return false;
    configFile = value();
    return true;
  });
  return { command: 'run', module: oneModule('run', positional), configFile };
}

function parseDescribe(args: readonly string[]): DescribeCommand {
  let format: DescribeFormat = 'text';
  const positional = eachArgument('describe', args, (flag, value) => {
    if (flag !== '--format') return false;
    const name = value();
    if (!(describeFormats as readonly string[]).includes(name)) {
      throw invalid(`Unknown format "${name}"; use one of: ${describeFormats.join(', ')}.`, 'describe');
    }
    format = name as DescribeFormat;
    return true;
  });
  return { command: 'describe', module: oneModule('describe', positional), format };
}

function parseReset(args: readonly string[], env: NodeJS.ProcessEnv): ResetCommand {
  let yes = false;
  let stateDir: string = streamsConfigDefaults.stateDir;
  let brokers = env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092';
  let adapter: AdapterName = 'platformatic';
  const positional = eachArgument('reset', args, (flag, value) => {
    switch (flag) {
      case '--yes':
      case '-y':
        yes = true;
        return true;
      case '--state-dir':
        stateDir = value();
        return true;
      case '--brokers':
        brokers = value();
        return true;
      case '--adapter': {
        const name = value();
        if (!(adapterNames as readonly string[]).includes(name)) {
          throw invalid(`Unknown adapter "${name}"; use one of: ${adapterNames.join(', ')}.`, 'reset');
        }
        adapter = name as AdapterName;
        return true;
      }
      default:
        return false;
    }
  });
  if (positional.length !== 1) {
    throw invalid(
      positional.length === 0
        ? 'reset needs an application.id.'
        : `reset takes one application.id, got ${positional.length}.`,
      'reset',
    );
  }
  const brokerList = brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokerList.length === 0) throw invalid('--brokers needs at least one host:port.', 'reset');
  return { command: 'reset', applicationId: positional[0]!, yes, stateDir, brokers: brokerList, adapter };
}

/** Parses `kstreams` arguments (without node and the script); reset's brokers default to KAFKA_BROKERS. */
export function parseKStreamsArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): KStreamsCommand {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return parseRun(rest);
    case 'describe':
      return parseDescribe(rest);
    case 'reset':
      return parseReset(rest, env);
    default:
      throw invalid(command === undefined ? 'No command given.' : `Unknown command "${command}".`);
  }
}

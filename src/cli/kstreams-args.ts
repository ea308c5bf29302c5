import { KStreamsError } from '../errors.ts';
import { type AdapterName, adapterNames } from '../kafka/index.ts';
import { streamsConfigDefaults } from '../runtime/index.ts';

export interface ResetCommand {
  readonly command: 'reset';
  readonly applicationId: string;
  readonly yes: boolean;
  readonly stateDir: string;
  readonly brokers: readonly string[];
  readonly adapter: AdapterName;
}

export const usage = `Usage: kstreams reset <application.id> [--yes] [--state-dir <dir>] [--brokers <host:port,...>] [--adapter <${adapterNames.join('|')}>]

  reset   Deletes the application's internal topics (changelogs, repartition topics), its consumer group
          (committed offsets: the next start reads its input from the beginning) and its local state.
          Asks for confirmation unless --yes.`;

function invalid(message: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint: `Run as: ${usage.split('\n')[0]}` });
}

/** Parses `kstreams` arguments (without node and the script); brokers default to KAFKA_BROKERS. */
export function parseKStreamsArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ResetCommand {
  const [command, ...rest] = argv;
  if (command !== 'reset') {
    throw invalid(command === undefined ? 'No command given.' : `Unknown command "${command}".`);
  }
  const positional: string[] = [];
  let yes = false;
  let stateDir: string = streamsConfigDefaults.stateDir;
  let brokers = env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092';
  let adapter: AdapterName = 'platformatic';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? rest[++i];
      if (next === undefined || next === '') throw invalid(`${flag} needs a value.`);
      return next;
    };
    switch (flag) {
      case '--yes':
      case '-y':
        yes = true;
        break;
      case '--state-dir':
        stateDir = value();
        break;
      case '--brokers':
        brokers = value();
        break;
      case '--adapter': {
        const name = value();
        if (!(adapterNames as readonly string[]).includes(name)) {
          throw invalid(`Unknown adapter "${name}"; use one of: ${adapterNames.join(', ')}.`);
        }
        adapter = name as AdapterName;
        break;
      }
      default:
        if (arg.startsWith('-')) throw invalid(`Unknown option "${arg}".`);
        positional.push(arg);
    }
  }
  if (positional.length !== 1) {
    throw invalid(
      positional.length === 0
        ? 'reset needs an application.id.'
        : `reset takes one application.id, got ${positional.length}.`,
    );
  }
  const brokerList = brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokerList.length === 0) throw invalid('--brokers needs at least one host:port.');
  return { command: 'reset', applicationId: positional[0]!, yes, stateDir, brokers: brokerList, adapter };
}

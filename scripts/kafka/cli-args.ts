import { KStreamsError } from '../../src/errors.ts';
import { type ClusterSize, clusterSizes } from './cluster-layout.ts';

export const kafkaCommands = ['start', 'stop', 'status', 'logs'] as const;
export type KafkaCommand = (typeof kafkaCommands)[number];

export interface KafkaArgs {
  readonly command: KafkaCommand;
  /** Only set when `--brokers` was given; each command picks its own default. */
  readonly brokers: ClusterSize | undefined;
  /** `logs -f`: keep following the files. */
  readonly follow: boolean;
  /** `logs -n <lines>`. */
  readonly lines: number;
}

export const kafkaUsage = `Usage: npm run kafka -- <start|stop|status|logs> [--brokers 1|3]
  start               start the local KRaft cluster (default 1 broker) and wait until it answers
  stop                stop the running local cluster (SIGTERM, then SIGKILL after 30 s)
  status              show each node's pid, ports and state
  logs [-f] [-n N]    print the last N (50) lines of each node's log; -f follows them
  --brokers 1|3       cluster size: 1 combined broker+controller, or a 3-node quorum`;

function usageError(message: string): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', message, { hint: kafkaUsage });
}

function isKafkaCommand(value: string): value is KafkaCommand {
  return (kafkaCommands as readonly string[]).includes(value);
}

function parseClusterSize(value: string | undefined): ClusterSize {
  const size = Number(value);
  const found = clusterSizes.find((candidate) => candidate === size);
  if (found === undefined) throw usageError(`--brokers must be 1 or 3, got ${value ?? 'nothing'}.`);
  return found;
}

export function parseKafkaArgs(argv: readonly string[]): KafkaArgs {
  let command: KafkaCommand | undefined;
  let brokers: ClusterSize | undefined;
  let follow = false;
  let lines = 50;
  let logsOption = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--brokers' || arg === '-b') {
      brokers = parseClusterSize(argv[++i]);
    } else if (arg.startsWith('--brokers=')) {
      brokers = parseClusterSize(arg.slice('--brokers='.length));
    } else if (arg === '-f' || arg === '--follow') {
      follow = true;
      logsOption = true;
    } else if (arg === '-n' || arg === '--lines') {
      const value = argv[++i];
      logsOption = true;
      lines = Number(value);
      if (!Number.isInteger(lines) || lines < 1) throw usageError(`${arg} needs a positive line count, got ${value}.`);
    } else if (command === undefined && isKafkaCommand(arg)) {
      command = arg;
    } else {
      throw usageError(`Unknown argument "${arg}".`);
    }
  }
  if (command === undefined) throw usageError('No command given.');
  if (logsOption && command !== 'logs') throw usageError('-f and -n only apply to "logs".');
  return { command, brokers, follow, lines };
}

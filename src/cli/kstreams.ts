// The `kstreams` command line: `node src/cli/kstreams.ts reset <application.id> [--yes] ...`.
import { createInterface } from 'node:readline/promises';
import { KStreamsError, reasonOf } from '../errors.ts';
import { parseKStreamsArgs, usage } from './kstreams-args.ts';
import { resetApplication } from './reset-application.ts';

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const command = parseKStreamsArgs(argv);
  const what = `the internal topics, consumer group and local state (${command.stateDir}) of "${command.applicationId}" on ${command.brokers.join(',')}`;
  if (!command.yes) {
    if (!process.stdin.isTTY) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        `Refusing to delete ${what} without confirmation: stdin is not a terminal.`,
        {
          hint: 'Pass --yes to confirm non-interactively.',
        },
      );
    }
    if (!(await confirm(`Delete ${what}? [y/N] `))) {
      console.log('Reset cancelled.');
      return 1;
    }
  }
  const result = await resetApplication({ ...command, deleteInternalTopics: true, resetOffsets: true });
  console.log(
    `Reset "${command.applicationId}": deleted ${result.deletedTopics.length} internal topic(s)${
      result.deletedTopics.length > 0 ? ` (${result.deletedTopics.join(', ')})` : ''
    }, ${result.groupDeleted ? 'deleted the consumer group' : 'no consumer group to delete'}, and removed local state.`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`kstreams: ${error instanceof KStreamsError ? error.message : reasonOf(error)}`);
    process.exitCode = 2;
  },
);

// The `kstreams` command line: `node src/cli/kstreams.ts run|describe|reset ...` (see `usage`).
import { createInterface } from 'node:readline/promises';
import { KStreamsError, reasonOf } from '../errors.ts';
import { describeService } from './describe-service.ts';
import { type DescribeCommand, parseKStreamsArgs, type ResetCommand, type RunCommand, usage } from './kstreams-args.ts';
import { loadService } from './load-service.ts';
import { createPinoLogger } from './pino-logger.ts';
import { resetApplication } from './reset-application.ts';
import { readConfigFile, resolveRunConfig } from './run-config.ts';
import { startService } from './run-service.ts';

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

async function reset(command: ResetCommand): Promise<number> {
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

async function describe(command: DescribeCommand): Promise<number> {
  console.log(describeService(await loadService(command.module), command.format));
  return 0;
}

/** Runs until SIGTERM/SIGINT (or the app stops by itself); 0 only after a clean close. */
async function run(command: RunCommand): Promise<number> {
  const service = await loadService(command.module);
  const config = resolveRunConfig({
    service,
    env: process.env,
    ...(command.configFile === undefined
      ? {}
      : { file: readConfigFile(command.configFile), fileName: command.configFile }),
  });
  const logger = createPinoLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  let signalled: NodeJS.Signals | undefined;
  let wake!: () => void;
  const signal = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onSignal = (name: NodeJS.Signals): void => {
    if (signalled !== undefined) {
      logger.warn('Second signal: exiting without a clean shutdown.', { signal: name });
      process.exit(130);
    }
    signalled = name;
    logger.info('Shutting down.', { signal: name, timeoutMs: config.shutdownTimeoutMs });
    wake();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let running: Awaited<ReturnType<typeof startService>>;
  try {
    running = await startService(service, config, logger);
  } catch (error) {
    logger.error('The service failed to start.', { error: reasonOf(error) });
    throw error;
  }
  await Promise.race([signal, running.stopped]);
  if (signalled === undefined) logger.error('The application stopped on its own.', { state: running.app.state });
  // A close that hangs past its bound (plus a margin) must not keep the process alive.
  setTimeout(() => {
    logger.error('Shutdown did not finish within its bound; exiting.', { timeoutMs: config.shutdownTimeoutMs });
    process.exit(1);
  }, config.shutdownTimeoutMs + 5_000).unref();
  const clean = await running.stop();
  return clean && signalled !== undefined ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const command = parseKStreamsArgs(argv);
  switch (command.command) {
    case 'run':
      return run(command);
    case 'describe':
      return describe(command);
    case 'reset':
      return reset(command);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Client sockets and timers may linger after a clean close: the exit code is final here.
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`kstreams: ${error instanceof KStreamsError ? error.message : reasonOf(error)}`);
    process.exit(2);
  },
);

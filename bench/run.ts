// `npm run bench -- <scenario> [options]`: runs one benchmark scenario (one file per scenario).
import { isKStreamsError } from '../src/errors.ts';
import type { BenchScenario } from './scenario-support.ts';

interface ScenarioEntry {
  readonly name: string;
  readonly summary: string;
  /** Loaded on demand, so one scenario's imports cannot break the others (or this usage text). */
  load(): Promise<BenchScenario>;
}

const scenarios: readonly ScenarioEntry[] = [
  {
    name: 'pipe',
    summary: 'raw consume -> produce pipe per Kafka client adapter, no engine (the ceiling)',
    load: async () => (await import('./pipe.ts')).pipeScenario,
  },
  {
    name: 'stateless',
    summary: 'consume -> filter -> mapValues -> produce through the engine, against the pipe per adapter',
    load: async () => (await import('./stateless.ts')).statelessScenario,
  },
  {
    name: 'stateful',
    summary: 'groupByKey().count() over 100,000 keys (persistent, logged, cached store), against the pipe',
    load: async () => (await import('./stateful.ts')).statefulScenario,
  },
  {
    name: 'restore',
    summary: 'restore a count changelog into an empty state dir, against a raw consume of the changelog',
    load: async () => (await import('./restore.ts')).restoreScenario,
  },
  {
    name: 'iq',
    summary: 'GET random table keys over HTTP (autocannon) while the app processes updates',
    load: async () => (await import('./iq.ts')).iqScenario,
  },
  {
    name: 'estate',
    summary: 'orders end to end through the estate services: confirmed orders/s and REQUESTED -> CONFIRMED latency',
    load: async () => (await import('./estate.ts')).estateScenario,
  },
];

const usage = `Usage: npm run bench -- <scenario> [options]

Scenarios:
${scenarios.map((s) => `  ${s.name.padEnd(10)} ${s.summary}`).join('\n')}

Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).
Show a scenario's options with: npm run bench -- <scenario> --help`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = scenarios.find((scenario) => scenario.name === name);
  if (entry === undefined) {
    process.stderr.write(`Unknown scenario "${name}".\n\n${usage}\n`);
    return 2;
  }
  const scenario = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${scenario.usage}\n`);
    return 0;
  }
  await scenario.run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isKStreamsError(error, 'CONFIG_INVALID')) {
      // A usage error's hint is the usage text: print it below the cause rather than inline.
      const cause = error.message.slice(0, error.message.length - ` Hint: ${error.hint}`.length);
      process.stderr.write(`${cause}\n${error.hint}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `Benchmark failed: ${isKStreamsError(error) ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exitCode = 1;
  },
);

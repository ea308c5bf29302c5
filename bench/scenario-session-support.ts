import { randomUUID } from 'node:crypto';
import { type AdapterName, type ConnectionOptions, createKafkaClient } from '../src/kafka/index.ts';
import { BenchTopics } from './bench-topics-support.ts';
import { assertBrokersReachable, brokersFromEnv } from './broker-support.ts';
import { type MachineInfo, machineInfo } from './machine-support.ts';
import { killWorkers } from './worker-support.ts';

/** What a scenario's invocation works with: its brokers, machine, a unique id and its topics. */
export interface ScenarioSession {
  readonly brokers: readonly string[];
  readonly machine: MachineInfo;
  /** Unique per invocation: suffixes every topic and group name. */
  readonly id: string;
  /** The first adapter asked for: it loads the inputs and administers the topics. */
  readonly firstAdapter: AdapterName;
  /** `bench-<scenario>-<adapter>` client connection. */
  readonly connection: (adapter: AdapterName) => ConnectionOptions;
  readonly topics: BenchTopics;
}

export interface SessionOptions {
  readonly scenario: string;
  readonly adapters: readonly AdapterName[];
  readonly log: (message: string) => void;
  /** What SIGINT stops, for its log line, e.g. "the workers". */
  readonly stopping: string;
}

/**
 * Checks the brokers, then runs the body; SIGINT kills the workers, and the benchmark topics and groups
 * are deleted afterwards whatever happens.
 */
export async function withScenarioSession(
  options: SessionOptions,
  body: (session: ScenarioSession) => Promise<void>,
): Promise<void> {
  const brokers = brokersFromEnv();
  await assertBrokersReachable(brokers);
  const machine = machineInfo();
  const id = randomUUID().slice(0, 8);
  const firstAdapter = options.adapters[0] as AdapterName;
  const connection = (adapter: AdapterName) => ({ brokers, clientId: `bench-${options.scenario}-${adapter}` });
  const topics = new BenchTopics(createKafkaClient(connection(firstAdapter), firstAdapter).admin(), options.log);
  const interrupt = () => {
    options.log(`interrupted: stopping ${options.stopping} and deleting the benchmark topics`);
    killWorkers();
  };
  process.once('SIGINT', interrupt);
  try {
    await body({ brokers, machine, id, firstAdapter, connection, topics });
  } finally {
    process.removeListener('SIGINT', interrupt);
    await topics.cleanUp();
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName, AssignedConsumer } from '../../src/kafka/index.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, text, uniqueName } from './support/cluster.ts';
import { lineFor, wordsOf } from './support/word-split-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const total = 20_000;

/** The app in a child process; resolves `running` when it reports RUNNING. */
function spawnApp(env: Record<string, string>): { child: ChildProcess; running: Promise<boolean>; log: string[] } {
  const child = spawn(process.execPath, ['test/integration/support/word-split-app.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const running = new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"RUNNING"')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  return { child, running, log };
}

describe.each(adapters)('crash safety: SIGKILL mid-stream and restart (%s)', (adapter) => {
  let cluster: Cluster;
  const children: ChildProcess[] = [];
  let watcher: AssignedConsumer | undefined;

  beforeAll(() => {
    cluster = new Cluster();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await watcher?.close();
    await cluster.close();
  });

  it('loses no input record: every line is represented in the output', { timeout: 60_000 }, async () => {
    const input = await cluster.createTopic(`${adapter}-crash-lines`, 4);
    const output = await cluster.createTopic(`${adapter}-crash-words`, 4);
    const applicationId = uniqueName(`${adapter}-crash`);
    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      APPLICATION_ID: applicationId,
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      CLIENT_ADAPTER: adapter,
    };
    watcher = cluster.client.assignedConsumer();
    await watcher.assign([0, 1, 2, 3].map((partition) => ({ topic: output, partition, offset: 0 })));
    const words = new Set<string>();
    let outputs = 0;
    /** Reads what arrived in the output since the last call; returns the total count so far. */
    const readOutput = async (): Promise<number> => {
      for (const record of await watcher!.poll({ maxRecords: 10_000, timeoutMs: 100 })) {
        words.add(text(record.value));
        outputs++;
      }
      return outputs;
    };

    const first = spawnApp(env);
    children.push(first.child);
    expect(await first.running).toBe(true);

    let produced = 0;
    const producing = (async () => {
      for (let chunk = 0; chunk < 20; chunk++) {
        const from = chunk * (total / 20);
        await cluster.produce(
          Array.from({ length: total / 20 }, (_, i) => ({
            topic: input,
            key: Buffer.from(`key-${from + i}`),
            value: Buffer.from(JSON.stringify(lineFor(from + i))),
          })),
        );
        produced += total / 20;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    expect(await eventually(async () => (await readOutput()) >= 8_000, 30_000)).toBe(true);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const atKill = outputs;
    const producedAtKill = produced;
    const committedAtKill = [...(await cluster.committed(applicationId, input)).values()].reduce((a, b) => a + b, 0);
    await producing;
    // Killed mid-stream: some progress was committed, and not everything had been produced or processed.
    expect(committedAtKill).toBeGreaterThan(0);
    expect(atKill < 2 * total || producedAtKill < total).toBe(true);

    const second = spawnApp(env);
    children.push(second.child);
    expect(await second.running).toBe(true);
    const missing = () => {
      const list: string[] = [];
      for (let id = 0; id < total; id++) for (const word of wordsOf(id)) if (!words.has(word)) list.push(word);
      return list;
    };
    const complete = await eventually(async () => {
      await readOutput();
      return missing().length === 0;
    }, 40_000);
    if (!complete) process.stderr.write(second.log.join(''));
    expect(missing().slice(0, 10)).toEqual([]);
    expect(outputs).toBeGreaterThanOrEqual(2 * total);

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
    expect(await cluster.committed(applicationId, input)).toEqual(await cluster.endOffsets(input));
  });
});

import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { ProcessorContext } from '../../src/processor/processor-context.ts';
import { Topology } from '../../src/processor/topology.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import type { StreamsConfig } from '../../src/runtime/streams-config.ts';
import type { StateStore, StoreBuilder } from '../../src/state/state-store.ts';
import { FakeKafkaClient, record } from './support/fake-kafka-client.ts';

/** left and right (co-partitioned) -> pass-through -> out; counts processor closes. */
function joinedTopology(closes: { count: number }): Topology {
  return new Topology()
    .addSource('in', ['left', 'right'])
    .addProcessor(
      'pass',
      () => {
        let context: ProcessorContext<unknown, unknown>;
        return {
          init: (c) => {
            context = c;
          },
          process: (r) => context.forward(r),
          close: () => {
            closes.count++;
          },
        };
      },
      'in',
    )
    .addSink('out', 'out', {}, 'pass');
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function setup(config: Partial<StreamsConfig>) {
  const client = new FakeKafkaClient({ left: 1, right: 1, out: 1 });
  const closes = { count: 0 };
  const clock = { now: 1_000 };
  const app = new KafkaStreams(
    joinedTopology(closes),
    { applicationId: 'app', commitIntervalMs: 1_000_000_000, logger: silentLogger, ...config },
    { client, wallClock: () => clock.now },
  );
  const sentValues = () => client.sent.map((r) => r.value?.toString());
  return { client, closes, clock, app, sentValues };
}

describe('KafkaStreams with an in-memory client', () => {
  it('restores the tasks assigned at the join before its first poll', async () => {
    const client = new FakeKafkaClient({ left: 2 });
    // A logged store: its tasks restore (here from empty changelogs) before they process anything.
    const counts: StoreBuilder = {
      name: 'counts',
      loggingEnabled: true,
      build: (): StateStore => ({ name: 'counts', persistent: false, flush: () => undefined, close: () => undefined }),
    };
    const topology = new Topology()
      .addSource('in', 'left')
      .addProcessor('count', () => ({ process: () => undefined }), 'in')
      .addStateStore(counts, 'count');
    const app = new KafkaStreams(
      topology,
      { applicationId: 'app', logger: silentLogger },
      { client, wallClock: () => 1_000 },
    );
    await app.start();
    await until(() => app.state === 'RUNNING');
    // One restoration for both tasks, before the group consumer was polled: a poll first would wait for
    // records the tasks cannot process yet.
    expect(client.log.filter((line) => line.startsWith('restore.'))).toEqual(['restore.endOffsets after 0 polls']);
    expect(await app.close()).toBe(true);
  });

  it('pauses a partition over bufferedRecordsPerPartition, waits maxTaskIdleMs for the empty one, resumes when drained', async () => {
    const { client, clock, app, sentValues } = setup({ maxTaskIdleMs: 500, bufferedRecordsPerPartition: 2 });
    await app.start();
    await until(() => app.state === 'RUNNING');
    const consumer = client.consumer!;
    consumer.push([record('left', 0, 10, 'l0'), record('left', 1, 30, 'l1'), record('left', 2, 50, 'l2')]);
    await until(() => client.log.includes('pause left-0'));
    expect(sentValues()).toEqual([]);

    consumer.push([record('right', 0, 20, 'r0')]);
    await until(() => client.sent.length === 2);
    expect(sentValues()).toEqual(['l0', 'r0']);
    await until(() => client.log.includes('resume left-0'));

    clock.now += 499;
    consumer.push([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.sent).toHaveLength(2);
    clock.now += 1;
    await until(() => client.sent.length === 4);
    expect(sentValues()).toEqual(['l0', 'r0', 'l1', 'l2']);
    expect(await app.close()).toBe(true);
  });

  it('on revocation commits what was processed, drops what was buffered and closes the tasks', async () => {
    const { client, closes, app, sentValues } = setup({ maxTaskIdleMs: 60_000 });
    const states: string[] = [];
    app.onStateChange((next) => states.push(next));
    await app.start();
    await until(() => app.state === 'RUNNING');
    const consumer = client.consumer!;
    consumer.push([record('left', 0, 1, 'l0'), record('left', 1, 10, 'l1'), record('right', 0, 5, 'r0')]);
    await until(() => client.sent.length === 2);
    expect(sentValues()).toEqual(['l0', 'r0']);

    consumer.rebalance();
    await until(() => client.log.filter((l) => l.startsWith('assign')).length === 2);
    expect(client.log.slice(client.log.indexOf('revoke left-0,right-0'))).toEqual([
      'revoke left-0,right-0',
      'commit left-0@1,right-0@1',
      'assign left-0,right-0',
    ]);
    expect(closes.count).toBe(1);
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'REBALANCING', 'RUNNING']);

    // The new task starts from the committed offsets: the dropped record comes again.
    consumer.push([record('left', 1, 10, 'l1'), record('left', 2, 30, 'l2'), record('right', 1, 20, 'r1')]);
    await until(() => client.sent.length === 4);
    expect(sentValues()).toEqual(['l0', 'r0', 'l1', 'r1']);
    expect(await app.close()).toBe(true);
  });

  it('close() commits first, then closes tasks, consumer and producer; a second close is a no-op', async () => {
    const { client, closes, app } = setup({});
    await app.start();
    await until(() => app.state === 'RUNNING');
    client.consumer!.push([record('left', 0, 1, 'l0'), record('right', 0, 2, 'r0')]);
    await until(() => client.sent.length === 2);
    expect(await app.close()).toBe(true);
    expect(await app.close()).toBe(true);
    const tail = client.log.slice(-3);
    expect(tail[0]).toBe('commit left-0@1,right-0@1');
    expect(tail.slice(1).sort()).toEqual(['consumer.close', 'producer.close']);
    expect(closes.count).toBe(1);
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('close() forces the clients closed without committing when it exceeds its timeout', async () => {
    const { client, app } = setup({});
    await app.start();
    await until(() => app.state === 'RUNNING');
    client.consumer!.push([record('left', 0, 1, 'l0')]);
    await until(() => client.sent.length === 1);
    client.consumer!.hangCommits = true;
    expect(await app.close({ timeoutMs: 100 })).toBe(false);
    expect(app.state).toBe('NOT_RUNNING');
    expect(client.log.some((l) => l.startsWith('commit'))).toBe(false);
    expect(client.log).toContain('consumer.close');
    expect(client.log).toContain('producer.close');
  });

  it('commits every commitIntervalMs of wall-clock time', async () => {
    const { client, clock, app } = setup({ commitIntervalMs: 1_000 });
    await app.start();
    await until(() => app.state === 'RUNNING');
    client.consumer!.push([record('left', 0, 1, 'l0')]);
    await until(() => client.sent.length === 1);
    expect(client.log.some((l) => l.startsWith('commit'))).toBe(false);
    clock.now += 1_000;
    await until(() => client.log.includes('commit left-0@1'));
    expect(await app.close()).toBe(true);
  });

  it('refuses a second start and goes straight to NOT_RUNNING when closed before starting', async () => {
    const first = setup({}).app;
    await first.start();
    const error = await first.start().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'ILLEGAL_STATE')).toBe(true);
    expect(await first.close()).toBe(true);

    const { app } = setup({});
    const states: string[] = [];
    app.onStateChange((next) => states.push(next));
    expect(await app.close()).toBe(true);
    expect(states).toEqual(['PENDING_SHUTDOWN', 'NOT_RUNNING']);
  });
});

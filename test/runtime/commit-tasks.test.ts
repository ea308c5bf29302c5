import { describe, expect, it } from 'vitest';
import type { TopicPartitionOffset } from '../../src/kafka/types.ts';
import { type CommittableTask, commitTasks } from '../../src/runtime/commit-tasks.ts';
import type { StateStore } from '../../src/state/state-store.ts';

function fakeTask(
  name: string,
  offsets: TopicPartitionOffset[],
  log: string[],
): CommittableTask & { marked: unknown[] } {
  const store: StateStore = {
    name: `${name}-store`,
    persistent: false,
    flush: async () => {
      log.push(`flush ${name}`);
    },
    close: () => undefined,
  };
  const marked: unknown[] = [];
  return {
    marked,
    stores: () => new Map([[store.name, store]]),
    offsetsToCommit: () => offsets,
    markCommitted: (committed) => marked.push(committed),
  };
}

describe('commitTasks', () => {
  it('flushes stores, then awaits the produce acks, then commits offsets', async () => {
    const log: string[] = [];
    const a = fakeTask('a', [{ topic: 't', partition: 0, offset: 11 }], log);
    const b = fakeTask('b', [{ topic: 't', partition: 1, offset: 5 }], log);
    const committed = await commitTasks([a, b], {
      collector: {
        acknowledged: async () => {
          log.push('acks');
        },
      },
      consumer: {
        commit: async (offsets) => {
          log.push(`commit ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')}`);
        },
      },
    });
    expect(log).toEqual(['flush a', 'flush b', 'acks', 'commit t-0@11,t-1@5']);
    expect(committed).toHaveLength(2);
    expect(a.marked).toEqual([[{ topic: 't', partition: 0, offset: 11 }]]);
  });

  it('commits no offsets when a produce failed', async () => {
    const log: string[] = [];
    const task = fakeTask('a', [{ topic: 't', partition: 0, offset: 3 }], log);
    await expect(
      commitTasks([task], {
        collector: { acknowledged: () => Promise.reject(new Error('broker down')) },
        consumer: {
          commit: async () => {
            log.push('commit');
          },
        },
      }),
    ).rejects.toThrow('broker down');
    expect(log).toEqual(['flush a']);
    expect(task.marked).toEqual([]);
  });

  it('skips the offset commit when no partition made progress', async () => {
    const log: string[] = [];
    const task = fakeTask('a', [], log);
    await commitTasks([task], {
      collector: { acknowledged: async () => undefined },
      consumer: {
        commit: async () => {
          log.push('commit');
        },
      },
    });
    expect(log).toEqual(['flush a']);
  });

  it('persists each store only after the input offsets are committed, with its last changelog offset + 1', async () => {
    const log: string[] = [];
    const store = (name: string): StateStore => ({
      name,
      persistent: true,
      flush: () => {
        log.push(`flush ${name}`);
      },
      persist: async (offset) => {
        log.push(`persist ${name}@${offset}`);
      },
      close: () => undefined,
    });
    // Topological order: the upstream store is flushed before the one its updates feed.
    const stores = new Map([
      ['upstream', store('upstream')],
      ['downstream', store('downstream')],
      ['unlogged', store('unlogged')],
    ]);
    const changelogs = new Map([
      ['upstream', { topic: 'app-upstream-changelog', partition: 2 }],
      ['downstream', { topic: 'app-downstream-changelog', partition: 2 }],
    ]);
    const task: CommittableTask = {
      stores: () => stores,
      changelogPartition: (name) => changelogs.get(name),
      offsetsToCommit: () => [{ topic: 'in', partition: 2, offset: 8 }],
      markCommitted: () => log.push('marked'),
    };
    const acknowledged: Record<string, number> = { 'app-upstream-changelog-2': 41 };
    await commitTasks([task], {
      collector: {
        acknowledged: async () => {
          log.push('acks');
        },
        lastChangelogOffset: (topic, partition) => acknowledged[`${topic}-${partition}`],
      },
      consumer: {
        commit: async (offsets) => {
          log.push(`commit ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')}`);
        },
      },
    });
    expect(log).toEqual([
      'flush upstream',
      'flush downstream',
      'flush unlogged',
      'acks',
      'commit in-2@8',
      'marked',
      'persist upstream@42',
      'persist downstream@undefined',
      'persist unlogged@undefined',
    ]);
  });

  it('sends the changelog records of each store before the next store flushes, bounded by drain', async () => {
    const log: string[] = [];
    const a = fakeTask('a', [{ topic: 't', partition: 0, offset: 1 }], log);
    const b = fakeTask('b', [{ topic: 't', partition: 1, offset: 1 }], log);
    await commitTasks([a, b], {
      collector: {
        acknowledged: async () => {
          log.push('acks');
        },
        drain: async (maxRecords) => {
          log.push(`drain ${maxRecords}`);
        },
      },
      consumer: { commit: async () => undefined },
    });
    expect(log).toEqual(['flush a', 'drain 40000', 'flush b', 'drain 40000', 'acks']);
  });

  it('persists the stores side by side and rethrows a failure once every persist has settled', async () => {
    const finished: string[] = [];
    const release: Array<() => void> = [];
    const store = (name: string, fails: boolean): StateStore => ({
      name,
      persistent: true,
      flush: () => undefined,
      persist: () =>
        new Promise<void>((resolve, reject) => {
          release.push(() => {
            finished.push(name);
            if (fails) reject(new Error(`disk full in ${name}`));
            else resolve();
          });
        }),
      close: () => undefined,
    });
    const task: CommittableTask = {
      stores: () =>
        new Map([
          ['first', store('first', true)],
          ['second', store('second', false)],
        ]),
      offsetsToCommit: () => [{ topic: 'in', partition: 0, offset: 1 }],
      markCommitted: () => undefined,
    };
    const commit = commitTasks([task], {
      collector: { acknowledged: async () => undefined },
      consumer: { commit: async () => undefined },
    });
    const outcome = commit.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    while (release.length < 2) await new Promise((resolve) => setImmediate(resolve));
    // Both persists started before either finished.
    expect(finished).toEqual([]);
    release[0]!();
    release[1]!();
    expect(await outcome).toBe('disk full in first');
    expect(finished).toEqual(['first', 'second']);
  });

  it('persists nothing when committing the input offsets fails', async () => {
    const persisted: unknown[] = [];
    const store: StateStore = {
      name: 's',
      persistent: true,
      flush: () => undefined,
      persist: async (offset) => {
        persisted.push(offset);
      },
      close: () => undefined,
    };
    const task: CommittableTask = {
      stores: () => new Map([['s', store]]),
      changelogPartition: () => ({ topic: 'c', partition: 0 }),
      offsetsToCommit: () => [{ topic: 'in', partition: 0, offset: 1 }],
      markCommitted: () => undefined,
    };
    await expect(
      commitTasks([task], {
        collector: { acknowledged: async () => undefined, lastChangelogOffset: () => 5 },
        consumer: { commit: () => Promise.reject(new Error('rebalance in progress')) },
      }),
    ).rejects.toThrow('rebalance in progress');
    expect(persisted).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError, KStreamsError } from '../../src/errors.ts';
import type { Admin, NewTopic } from '../../src/kafka/types.ts';
import { prepareTopicLayout } from '../../src/runtime/topic-layout.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

function fakeAdmin(topics: Record<string, number>): Admin & { created: NewTopic[] } {
  const partitions = new Map(Object.entries(topics));
  const created: NewTopic[] = [];
  const admin: Partial<Admin> = {
    listTopics: async () => [...partitions.keys()],
    describeTopics: async (names) =>
      names.map((name) => ({ name, partitions: partitions.get(name) ?? 0, replicationFactor: 1 })),
    createTopics: async (list) => {
      for (const topic of list) {
        created.push(topic);
        partitions.set(topic.name, topic.partitions);
      }
    },
  };
  return Object.assign(admin as Admin, { created });
}

function countTopology(logging: Record<string, string> | false) {
  const builder = new StreamsBuilder();
  builder
    .stream('clicks', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .count({
      storeName: 'counts',
      ...(logging === false ? { logging: false } : { loggingConfigs: logging }),
    });
  return builder.build();
}

describe('prepareTopicLayout: changelog topics', () => {
  it('creates a compacted changelog per logged store, with the partitions of its sources and its configs', async () => {
    const admin = fakeAdmin({ clicks: 6 });
    const layout = await prepareTopicLayout(countTopology({ 'min.compaction.lag.ms': '1000' }), 'app', admin);
    expect(admin.created).toEqual([
      {
        name: 'app-counts-changelog',
        partitions: 6,
        configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '1000' },
      },
    ]);
    expect(layout.changelogTopic('counts')).toBe('app-counts-changelog');
    expect(layout.sourceTopics).toEqual(['clicks']);
  });

  it('waits for a changelog it just created to appear in the metadata', async () => {
    const admin = fakeAdmin({ clicks: 6 });
    const describe = admin.describeTopics.bind(admin);
    let misses = 2;
    admin.describeTopics = async (names) => {
      if (names.includes('app-counts-changelog') && misses-- > 0) {
        throw new KStreamsError('KAFKA_TOPIC_NOT_FOUND', 'Topic "app-counts-changelog" does not exist.', {
          hint: 'Create it first.',
        });
      }
      return describe(names);
    };
    const layout = await prepareTopicLayout(countTopology({}), 'app', admin);
    expect(misses).toBe(-1);
    expect(layout.changelogTopic('counts')).toBe('app-counts-changelog');
  });

  it('creates no changelog for an unlogged store', async () => {
    const admin = fakeAdmin({ clicks: 2 });
    const layout = await prepareTopicLayout(countTopology(false), 'app', admin);
    expect(admin.created).toEqual([]);
    expect(layout.changelogTopic('counts')).toBeUndefined();
  });

  it('refuses an existing changelog whose partition count differs, naming topic and counts', async () => {
    const admin = fakeAdmin({ clicks: 4, 'app-counts-changelog': 3 });
    const error = await prepareTopicLayout(countTopology({}), 'app', admin).catch((e: unknown) => e);
    expect(isKStreamsError(error, 'TOPOLOGY_INVALID')).toBe(true);
    expect((error as Error).message).toContain(
      'Changelog topic "app-counts-changelog" of store "counts" has 3 partitions',
    );
    expect((error as Error).message).toContain('needs 4');
  });
});

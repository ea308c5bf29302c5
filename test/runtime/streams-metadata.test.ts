import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import { partitionForKey } from '../../src/kafka/murmur2.ts';
import type { Admin } from '../../src/kafka/types.ts';
import { decodeAssignmentInfo, encodeSubscriptionInfo } from '../../src/runtime/assignment-info.ts';
import { StreamsAssignor } from '../../src/runtime/streams-assignor.ts';
import { StreamsMetadataState } from '../../src/runtime/streams-metadata.ts';
import { prepareTopicLayout, type TopicLayout } from '../../src/runtime/topic-layout.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

const str = Serdes.string();

async function clickCountsLayout(): Promise<TopicLayout> {
  const partitions = new Map([['clicks', 6]]);
  const admin: Partial<Admin> = {
    listTopics: async () => [...partitions.keys()],
    describeTopics: async (names) =>
      names.map((name) => ({ name, partitions: partitions.get(name) ?? 0, replicationFactor: 1 })),
    createTopics: async (list) => {
      for (const topic of list) partitions.set(topic.name, topic.partitions);
    },
  };
  const builder = new StreamsBuilder();
  builder.stream('clicks', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'click-counts' });
  return prepareTopicLayout(builder.build(), 'app', admin as Admin);
}

/** The metadata member `a` learns when a (host-a) and b (host-b) share the six tasks. */
async function metadataOfTwoHosts(): Promise<StreamsMetadataState> {
  const layout = await clickCountsLayout();
  const member = (memberId: string, endpoint: string, activeTasks: string[]) => ({
    memberId,
    topics: layout.sourceTopics,
    userData: encodeSubscriptionInfo({ activeTasks, stateTasks: [], endpoint }),
  });
  const assignment = new StreamsAssignor(layout.subtopologies).assign(
    [member('a', 'host-a:8080', ['0_0', '0_2', '0_4']), member('b', '[::1]:9090', ['0_1', '0_3', '0_5'])],
    new Map([['clicks', 6]]),
  );
  const metadata = new StreamsMetadataState(layout);
  metadata.update(decodeAssignmentInfo(assignment.get('a')!.userData));
  return metadata;
}

describe('StreamsMetadataState', () => {
  it('lists every advertised instance with its partitions, tasks and stores', async () => {
    const metadata = await metadataOfTwoHosts();
    expect(metadata.allMetadata()).toEqual([
      {
        host: '::1',
        port: 9090,
        topicPartitions: [1, 3, 5].map((partition) => ({ topic: 'clicks', partition })),
        taskIds: ['0_1', '0_3', '0_5'],
        storeNames: ['click-counts'],
      },
      {
        host: 'host-a',
        port: 8080,
        topicPartitions: [0, 2, 4].map((partition) => ({ topic: 'clicks', partition })),
        taskIds: ['0_0', '0_2', '0_4'],
        storeNames: ['click-counts'],
      },
    ]);
    expect(metadata.allMetadataForStore('click-counts')).toHaveLength(2);
    expect(metadata.allMetadataForStore('other')).toEqual([]);
  });

  it('routes a key to the instance owning its murmur2 partition of the source topic', async () => {
    const metadata = await metadataOfTwoHosts();
    for (const key of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      const partition = partitionForKey(Buffer.from(key), 6);
      expect(metadata.metadataForKey('click-counts', key, str)).toEqual(
        partition % 2 === 0
          ? { host: 'host-a', port: 8080, partition, standbyHosts: [] }
          : { host: '::1', port: 9090, partition, standbyHosts: [] },
      );
    }
  });

  it('answers with a retriable error while the group rebalances', async () => {
    const metadata = await metadataOfTwoHosts();
    metadata.update(undefined);
    expect(metadata.allMetadata()).toEqual([]);
    const error = (() => {
      try {
        metadata.metadataForKey('click-counts', 'alice', str);
      } catch (caught) {
        return caught;
      }
    })();
    expect(isKStreamsError(error, 'KAFKA_REBALANCE_IN_PROGRESS') && error.retriable).toBe(true);
  });

  it('refuses a store the topology does not have, naming it', async () => {
    const metadata = await metadataOfTwoHosts();
    expect(() => metadata.metadataForKey('nope', 'alice', str)).toThrow(/no store "nope"/);
  });
});

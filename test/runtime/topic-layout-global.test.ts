import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { Admin, NewTopic } from '../../src/kafka/types.ts';
import { prepareTopicLayout } from '../../src/runtime/topic-layout.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

const str = Serdes.string();

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

function ordersWithGlobalCustomers() {
  const builder = new StreamsBuilder();
  builder.globalTable('customers', { keySerde: str, valueSerde: str }, { storeName: 'customers' });
  builder.stream('orders', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' });
  return builder.build();
}

describe('prepareTopicLayout: global tables', () => {
  it('keeps global topics out of the group subscription and creates no changelog for global stores', async () => {
    const admin = fakeAdmin({ orders: 4, customers: 3 });
    const layout = await prepareTopicLayout(ordersWithGlobalCustomers(), 'app', admin);
    expect(layout.sourceTopics).toEqual(['orders']);
    expect(layout.subtopologies.map((s) => s.topics)).toEqual([['orders']]);
    expect(layout.globalTopics).toEqual([{ topic: 'customers', partitions: 3 }]);
    expect(layout.changelogTopic('customers')).toBeUndefined();
    expect(admin.created.map((t) => t.name)).toEqual(['app-counts-changelog']);
  });

  it('does not require a global topic to be co-partitioned with anything', async () => {
    const admin = fakeAdmin({ orders: 4, customers: 1 });
    const layout = await prepareTopicLayout(ordersWithGlobalCustomers(), 'app', admin);
    expect(layout.globalTopics).toEqual([{ topic: 'customers', partitions: 1 }]);
  });

  it('refuses to start without the global topic, naming it as a global table topic', async () => {
    const admin = fakeAdmin({ orders: 4 });
    const error = await prepareTopicLayout(ordersWithGlobalCustomers(), 'app', admin).catch((e: unknown) => e);
    expect(isKStreamsError(error, 'KAFKA_TOPIC_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('Global table topic "customers" of application "app" does not exist.');
    expect((error as Error).message).toContain('builder.globalTable()');
  });
});

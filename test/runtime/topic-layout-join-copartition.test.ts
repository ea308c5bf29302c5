import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../src/dsl/join-windows.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { Admin } from '../../src/kafka/types.ts';
import { prepareTopicLayout } from '../../src/runtime/topic-layout.ts';

/** An admin that knows `topics` (name -> partition count) and creates whatever it is asked to. */
function adminWith(topics: Record<string, number>): Admin {
  const partitions = new Map(Object.entries(topics));
  const admin: Partial<Admin> = {
    listTopics: async () => [...partitions.keys()],
    describeTopics: async (names) =>
      names.map((name) => ({ name, partitions: partitions.get(name) ?? 0, replicationFactor: 1 })),
    createTopics: async (list) => {
      for (const topic of list) partitions.set(topic.name, topic.partitions);
    },
  };
  return admin as Admin;
}

async function startError(build: (builder: StreamsBuilder) => void, topics: Record<string, number>) {
  const builder = new StreamsBuilder();
  build(builder);
  return prepareTopicLayout(builder.build(), 'app', adminWith(topics)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('co-partitioning of joins at startup', () => {
  it('refuses a stream-table join over topics with different partition counts, naming both and suggesting repartition()', async () => {
    const error = await startError(
      (builder) => {
        builder.stream<string, string>('orders').join(builder.table<string, string>('customers'), (o, c) => o + c);
      },
      { orders: 6, customers: 4 },
    );
    expect(error).toMatchObject({ code: 'TOPOLOGY_INVALID' });
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain('"orders" (6 partitions)');
    expect(message).toContain('"customers" (4 partitions)');
    expect(hint).toContain('repartition');
  });

  it('refuses a stream-stream join over topics with different partition counts', async () => {
    const error = await startError(
      (builder) => {
        builder
          .stream<string, string>('clicks')
          .join(builder.stream<string, string>('views'), (c, v) => c + v, JoinWindows.ofTimeDifferenceWithNoGrace(10));
      },
      { clicks: 3, views: 2 },
    );
    expect(error).toMatchObject({ code: 'TOPOLOGY_INVALID' });
    expect((error as Error).message).toMatch(/"clicks" \(3 partitions\).*"views" \(2 partitions\)/);
  });

  it('accepts the join once the stream is repartitioned to the table topic count', async () => {
    const error = await startError(
      (builder) => {
        builder
          .stream<string, string>('orders')
          .repartition({ name: 'orders-by-customer', partitions: 4 })
          .join(builder.table<string, string>('customers'), (o, c) => o + c);
      },
      { orders: 6, customers: 4 },
    );
    expect(error).toBeUndefined();
  });
});

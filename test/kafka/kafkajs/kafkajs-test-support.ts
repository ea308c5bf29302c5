import { randomUUID } from 'node:crypto';
import { createKafkaJsClient } from '../../../src/kafka/kafkajs/kafkajs-client.ts';
import type { Admin, KafkaClient } from '../../../src/kafka/types.ts';
import { testBrokers } from '../../setup/kafka-env.ts';

export function uniqueName(prefix: string): string {
  return `kafkajs-${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A kafkajs client plus a closer list, so every test closes what it opened. */
export function kafkaJsTestbed(): {
  client: () => KafkaClient;
  admin: () => Admin;
  track: <T extends { close(): Promise<void> }>(resource: T) => T;
  closeAll: () => Promise<void>;
  createTopic: (prefix: string, partitions: number) => Promise<string>;
} {
  let client: KafkaClient | undefined;
  let admin: Admin | undefined;
  const closers: (() => Promise<void>)[] = [];
  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    closers.push(() => resource.close());
    return resource;
  };
  const getClient = () => {
    client ??= createKafkaJsClient({ brokers: testBrokers(), clientId: 'kafkajs-adapter-test' });
    return client;
  };
  const getAdmin = () => {
    admin ??= track(getClient().admin());
    return admin;
  };
  return {
    client: getClient,
    admin: getAdmin,
    track,
    closeAll: async () => {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
      admin = undefined;
    },
    createTopic: async (prefix, partitions) => {
      const name = uniqueName(prefix);
      await getAdmin().createTopics([{ name, partitions, replicationFactor: 1 }]);
      return name;
    },
  };
}

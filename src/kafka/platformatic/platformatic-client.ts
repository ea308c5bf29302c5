import type {
  AssignedConsumerOptions,
  ConnectionOptions,
  GroupConsumerOptions,
  KafkaClient,
  ProducerOptions,
} from '../types.ts';
import { createPlatformaticAdmin } from './admin.ts';
import { createPlatformaticAssignedConsumer } from './assigned-consumer.ts';
import { createPlatformaticGroupConsumer } from './group-consumer.ts';
import { createPlatformaticProducer } from './producer.ts';

/** The Kafka client port on @platformatic/kafka (the default adapter). */
export function createPlatformaticClient(connection: ConnectionOptions): KafkaClient {
  return {
    adapter: 'platformatic',
    connection,
    producer: (options?: ProducerOptions) => createPlatformaticProducer(connection, options),
    groupConsumer: (options: GroupConsumerOptions) => createPlatformaticGroupConsumer(connection, options),
    assignedConsumer: (options?: AssignedConsumerOptions) => createPlatformaticAssignedConsumer(connection, options),
    admin: () => createPlatformaticAdmin(connection),
  };
}

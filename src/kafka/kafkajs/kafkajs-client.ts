import kafkajs from 'kafkajs';
import type {
  Admin,
  AssignedConsumer,
  AssignedConsumerOptions,
  ConnectionOptions,
  GroupConsumer,
  GroupConsumerOptions,
  KafkaClient,
  Producer,
  ProducerOptions,
} from '../types.ts';
import { KafkaJsAdminAdapter } from './kafkajs-admin.ts';
import { KafkaJsAssignedConsumer } from './kafkajs-assigned-consumer.ts';
import { KafkaJsGroupConsumer } from './kafkajs-group-consumer.ts';
import { kafkaConfig } from './kafkajs-options.ts';
import { KafkaJsProducerAdapter } from './kafkajs-producer.ts';
import { patchKafkaJsNegativeTimeout } from './node-timer-compat.ts';

/** The Kafka client port on kafkajs 2.2.4. */
export function createKafkaJsClient(connection: ConnectionOptions): KafkaClient {
  patchKafkaJsNegativeTimeout();
  const kafka = new kafkajs.Kafka(kafkaConfig(connection));
  return {
    adapter: 'kafkajs',
    connection,
    producer: (options: ProducerOptions = {}): Producer => new KafkaJsProducerAdapter(kafka, connection, options),
    groupConsumer: (options: GroupConsumerOptions): GroupConsumer =>
      new KafkaJsGroupConsumer(kafka, connection, options),
    assignedConsumer: (options: AssignedConsumerOptions = {}): AssignedConsumer =>
      new KafkaJsAssignedConsumer(kafka, connection, options),
    admin: (): Admin => new KafkaJsAdminAdapter(kafka, connection),
  };
}

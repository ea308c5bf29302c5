import { KStreamsError } from '../errors.ts';
import { createKafkaJsClient } from './kafkajs/kafkajs-client.ts';
import { createPlatformaticClient } from './platformatic/platformatic-client.ts';
import { type AdapterName, adapterNames, type ConnectionOptions, type KafkaClient } from './types.ts';

/** Makes the client for the chosen adapter; @platformatic/kafka is the default. */
export function createKafkaClient(connection: ConnectionOptions, adapter: AdapterName = 'platformatic'): KafkaClient {
  if (connection.brokers.length === 0) {
    throw new KStreamsError('CONFIG_INVALID', 'No Kafka brokers were given.', {
      hint: 'Pass bootstrap servers as host:port, for example 127.0.0.1:9092, or set KAFKA_BROKERS.',
    });
  }
  switch (adapter) {
    case 'platformatic':
      return createPlatformaticClient(connection);
    case 'kafkajs':
      return createKafkaJsClient(connection);
    default:
      throw new KStreamsError('CONFIG_INVALID', `Unknown Kafka client adapter "${String(adapter)}".`, {
        hint: `Use one of: ${adapterNames.join(', ')}.`,
      });
  }
}

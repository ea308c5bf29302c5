// The local Kafka used for development and tests: `npm run kafka` and the vitest global setup use these.
export type { ClusterSize } from './cluster-layout.ts';
export { clusterLayout, plaintextBootstrap, saslBootstrap } from './cluster-layout.ts';
export { kafkaLogs } from './kafka-logs.ts';
export type {
  ClusterStatus,
  KafkaScriptOptions,
  NodeStatus,
  StartKafkaOptions,
  StartKafkaResult,
} from './local-cluster.ts';
export { kafkaStatus, startKafka, stopKafka } from './local-cluster.ts';

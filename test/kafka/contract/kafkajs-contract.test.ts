import { describeKafkaContract } from './contract-suite.ts';

describeKafkaContract('kafkajs');

import { describeKafkaContract } from './contract-suite.ts';

describeKafkaContract('platformatic');

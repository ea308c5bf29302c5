import { describeProducerSizeLimits } from '../platformatic/producer-size-limits-suite.ts';

describeProducerSizeLimits('kafkajs');

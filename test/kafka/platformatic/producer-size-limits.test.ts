import { describeProducerSizeLimits } from './producer-size-limits-suite.ts';

describeProducerSizeLimits('platformatic');

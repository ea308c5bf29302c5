export type { TestRecord } from './test-input-topic.ts';
export { TestInputTopic } from './test-input-topic.ts';
export type { OutputKeyValue, OutputRecord } from './test-output-topic.ts';
export { TestOutputTopic } from './test-output-topic.ts';
export type { DriverRecord, TopologyTestDriverOptions } from './topology-test-driver.ts';
export { TopologyTestDriver } from './topology-test-driver.ts';

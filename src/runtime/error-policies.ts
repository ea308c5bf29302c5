/**
 * What happens to a record that cannot be deserialized or processed: stop (`fail`, the default, so
 * nothing is silently lost), skip it with a log line and a metric (`log-and-continue`), or send the
 * original bytes to a dead-letter topic with headers naming the error and the source (`dead-letter`).
 */
export const recordErrorPolicies = ['fail', 'log-and-continue', 'dead-letter'] as const;
export type RecordErrorPolicy = (typeof recordErrorPolicies)[number];

/**
 * What happens when the broker refuses output (e.g. a record too large): stop without committing, so the
 * input is processed again after the cause is fixed (`fail`, the default), or log, count and drop the
 * refused records and go on (`log-and-continue`, Kafka Streams' ProductionExceptionHandler CONTINUE).
 */
export const productionErrorPolicies = ['fail', 'log-and-continue'] as const;
export type ProductionErrorPolicy = (typeof productionErrorPolicies)[number];

export interface ErrorHandling {
  readonly deserialization: RecordErrorPolicy;
  readonly processing: RecordErrorPolicy;
  readonly production?: ProductionErrorPolicy;
  /** Required when either policy is `dead-letter`. */
  readonly deadLetterTopic?: string;
}

export const defaultErrorHandling: ErrorHandling = { deserialization: 'fail', processing: 'fail', production: 'fail' };

/** Header names on dead-lettered records. */
export const deadLetterHeaders = {
  errorCode: 'kstreams.error.code',
  errorMessage: 'kstreams.error.message',
  errorStage: 'kstreams.error.stage',
  node: 'kstreams.error.node',
  topic: 'kstreams.source.topic',
  partition: 'kstreams.source.partition',
  offset: 'kstreams.source.offset',
} as const;

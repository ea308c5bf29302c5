import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { resolveStreamsConfig, type StreamsConfig } from '../../src/runtime/streams-config.ts';
import { stringSerde } from '../../src/serdes/string-serde.ts';

const base = { applicationId: 'orders-app', bootstrapServers: '127.0.0.1:9092', logger: silentLogger };

function failure(config: unknown, options?: { clientProvided?: boolean }): Error {
  try {
    resolveStreamsConfig(config as StreamsConfig, options);
  } catch (error) {
    expect(isKStreamsError(error, 'CONFIG_INVALID')).toBe(true);
    return error as Error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('resolveStreamsConfig', () => {
  it('applies Kafka Streams-like defaults', () => {
    const config = resolveStreamsConfig(base);
    expect(config).toMatchObject({
      applicationId: 'orders-app',
      bootstrapServers: ['127.0.0.1:9092'],
      clientAdapter: 'platformatic',
      commitIntervalMs: 30_000,
      stateDir: 'state',
      processingGuarantee: 'at_least_once',
      errorHandling: { deserialization: 'fail', processing: 'fail' },
      maxPollRecords: 1000,
      maxTaskIdleMs: 0,
      bufferedRecordsPerPartition: 1000,
      uncaughtErrorPolicy: 'shutdown-application',
    });
    expect(config.defaultKeySerde.deserialize('t', Buffer.from('x'))).toEqual(Buffer.from('x'));
  });

  it('accepts bootstrap servers as a comma-separated string or a list', () => {
    expect(resolveStreamsConfig({ ...base, bootstrapServers: 'a:9092, b:9093' }).bootstrapServers).toEqual([
      'a:9092',
      'b:9093',
    ]);
    expect(resolveStreamsConfig({ ...base, bootstrapServers: ['a:9092'] }).bootstrapServers).toEqual(['a:9092']);
  });

  it('keeps given values and merges error handling with the defaults', () => {
    const serde = stringSerde();
    const config = resolveStreamsConfig({
      ...base,
      clientAdapter: 'kafkajs',
      commitIntervalMs: 100,
      defaultValueSerde: serde,
      errorHandling: { deserialization: 'dead-letter', deadLetterTopic: 'dlq' },
      uncaughtErrorPolicy: 'replace-thread',
    });
    expect(config.clientAdapter).toBe('kafkajs');
    expect(config.commitIntervalMs).toBe(100);
    expect(config.defaultValueSerde).toBe(serde);
    expect(config.errorHandling).toEqual({
      deserialization: 'dead-letter',
      processing: 'fail',
      production: 'fail',
      deadLetterTopic: 'dlq',
    });
    expect(config.uncaughtErrorPolicy).toBe('replace-thread');
  });

  it('refuses a fetch size too small to hold a record batch, naming the bound', () => {
    expect(failure({ ...base, fetchMaxBytes: 100 }).message).toContain('fetchMaxBytes');
    expect(failure({ ...base, fetchMaxBytes: 100 }).message).toContain('an integer >= 1024');
  });

  it('refuses an unknown production policy, naming what is allowed', () => {
    const error = failure({ ...base, errorHandling: { production: 'dead-letter' } });
    expect(error.message).toContain('production policy is one of fail, log-and-continue');
  });

  it('refuses an unknown key, naming it and suggesting the closest known key', () => {
    const error = failure({ ...base, commitIntervalMS: 100 });
    expect(error.message).toContain('"commitIntervalMS"');
    expect(error.message).toContain('Did you mean "commitIntervalMs"?');
  });

  it('lists the known keys when nothing is close to an unknown key', () => {
    const error = failure({ ...base, zzzzzzzzzzzz: 1 });
    expect(error.message).toContain('Known keys: applicationId');
    expect(error.message).not.toContain('Did you mean');
  });

  it('requires an application id', () => {
    expect(failure({ bootstrapServers: 'a:1' }).message).toContain('applicationId');
  });

  it('requires bootstrap servers unless a client is provided', () => {
    expect(failure({ applicationId: 'a' }).message).toContain('bootstrapServers');
    expect(resolveStreamsConfig({ applicationId: 'a' }, { clientProvided: true }).bootstrapServers).toEqual([]);
  });

  it.each([
    ['commitIntervalMs', -1, 'a non-negative integer'],
    ['commitIntervalMs', 1.5, 'a non-negative integer'],
    ['maxPollRecords', 0, 'an integer >= 1'],
    ['bufferedRecordsPerPartition', '10', 'an integer >= 1'],
    ['clientAdapter', 'rdkafka', 'one of platformatic, kafkajs'],
    ['processingGuarantee', 'exactly_once', 'one of at_least_once, exactly_once_v2'],
    ['uncaughtErrorPolicy', 'ignore', 'one of shutdown-application, replace-thread'],
    ['applicationId', 'has space', 'letters, digits'],
    ['bootstrapServers', 'localhost', 'host:port'],
    ['defaultKeySerde', {}, 'a Serde'],
    ['logger', console.log, 'a Logger'],
    ['errorHandling', { processing: 'skip' }, 'processing policy is one of fail, log-and-continue, dead-letter'],
    ['errorHandling', { processing: 'dead-letter' }, 'deadLetterTopic when a policy is dead-letter'],
    ['errorHandling', { deserialisation: 'fail' }, 'not "deserialisation"'],
  ])('refuses %s = %j, naming the key, the value and what is allowed', (key, value, allowed) => {
    const error = failure({ ...base, [key]: value });
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toContain(allowed);
    if (typeof value === 'number' || typeof value === 'string') expect(error.message).toContain(String(value));
  });

  it('says exactly_once_v2 arrives later', () => {
    const error = failure({ ...base, processingGuarantee: 'exactly_once_v2' });
    expect(error.message).toContain('exactly_once_v2');
    expect(error.message).toContain('arrives later');
  });
});

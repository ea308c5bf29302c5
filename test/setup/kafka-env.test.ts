import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers, testSaslBrokers } from './kafka-env.ts';

const saved = { brokers: process.env.KAFKA_BROKERS, sasl: process.env.KAFKA_SASL_BROKERS };

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('test broker addresses', () => {
  afterEach(() => {
    restore('KAFKA_BROKERS', saved.brokers);
    restore('KAFKA_SASL_BROKERS', saved.sasl);
  });

  it('splits comma-separated lists and trims them', () => {
    process.env.KAFKA_BROKERS = '127.0.0.1:9092, 127.0.0.1:9093';
    process.env.KAFKA_SASL_BROKERS = '127.0.0.1:29092';
    expect(testBrokers()).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(testSaslBrokers()).toEqual(['127.0.0.1:29092']);
  });

  it('names the variable to set when one is missing', () => {
    delete process.env.KAFKA_BROKERS;
    process.env.KAFKA_SASL_BROKERS = ' ';
    expect(() => testBrokers()).toThrow(/KAFKA_BROKERS is not set/);
    expect(() => testSaslBrokers()).toThrow(
      'set KAFKA_SASL_BROKERS to a SASL_PLAINTEXT listener with PLAIN user kstreams/kstreams-secret',
    );
  });
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKStreamsArgs } from '../../src/cli/kstreams-args.ts';
import { isKStreamsError } from '../../src/errors.ts';

const noEnv = {};

function parseError(argv: readonly string[]): unknown {
  try {
    parseKStreamsArgs(argv, noEnv);
  } catch (error) {
    return error;
  }
  throw new Error(`parseKStreamsArgs accepted ${JSON.stringify(argv)}`);
}

describe('kstreams command line arguments', () => {
  it('parses reset with defaults', () => {
    expect(parseKStreamsArgs(['reset', 'orders-app'], noEnv)).toEqual({
      command: 'reset',
      applicationId: 'orders-app',
      yes: false,
      stateDir: 'state',
      brokers: ['127.0.0.1:9092'],
      adapter: 'platformatic',
    });
  });

  it('parses every option, as separate or inline values, in any order', () => {
    expect(
      parseKStreamsArgs(
        ['reset', '--state-dir', '/var/lib/app', 'orders-app', '--yes', '--brokers=a:1, b:2', '--adapter', 'kafkajs'],
        noEnv,
      ),
    ).toEqual({
      command: 'reset',
      applicationId: 'orders-app',
      yes: true,
      stateDir: '/var/lib/app',
      brokers: ['a:1', 'b:2'],
      adapter: 'kafkajs',
    });
    expect(parseKStreamsArgs(['reset', '-y', 'x'], noEnv).yes).toBe(true);
  });

  it('takes the brokers from KAFKA_BROKERS unless --brokers is given', () => {
    expect(parseKStreamsArgs(['reset', 'app'], { KAFKA_BROKERS: 'k1:9092,k2:9092' }).brokers).toEqual([
      'k1:9092',
      'k2:9092',
    ]);
    expect(parseKStreamsArgs(['reset', 'app', '--brokers', 'z:1'], { KAFKA_BROKERS: 'k1:9092' }).brokers).toEqual([
      'z:1',
    ]);
  });

  it.each([
    [[], 'No command given.'],
    [['rest', 'app'], 'Unknown command "rest".'],
    [['reset'], 'reset needs an application.id.'],
    [['reset', 'a', 'b'], 'reset takes one application.id, got 2.'],
    [['reset', 'app', '--force'], 'Unknown option "--force".'],
    [['reset', 'app', '--state-dir'], '--state-dir needs a value.'],
    [['reset', 'app', '--brokers='], '--brokers needs a value.'],
    [['reset', 'app', '--brokers', ' , '], '--brokers needs at least one host:port.'],
    [['reset', 'app', '--adapter', 'rdkafka'], 'Unknown adapter "rdkafka"; use one of: platformatic, kafkajs.'],
  ])('rejects %j with a clear CONFIG_INVALID error', (argv, reason) => {
    const error = parseError(argv);
    expect(isKStreamsError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { reason: string }).reason).toBe(reason);
    expect((error as { hint: string }).hint).toContain('kstreams reset <application.id>');
  });
});

describe('the kstreams command', () => {
  const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'kstreams.ts');

  it('refuses to reset without --yes when stdin is not a terminal, before contacting Kafka', () => {
    const result = spawnSync(process.execPath, [cli, 'reset', 'some-app', '--brokers', '127.0.0.1:1'], {
      encoding: 'utf8',
      input: 'y\n',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('without confirmation: stdin is not a terminal');
    expect(result.stderr).toContain('Pass --yes');
  });

  it('prints the usage for --help', () => {
    const result = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: kstreams reset <application.id>');
  });
});

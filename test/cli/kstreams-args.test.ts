import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKStreamsArgs, type ResetCommand } from '../../src/cli/kstreams-args.ts';
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
    expect((parseKStreamsArgs(['reset', '-y', 'x'], noEnv) as ResetCommand).yes).toBe(true);
  });

  it('takes the brokers from KAFKA_BROKERS unless --brokers is given', () => {
    expect((parseKStreamsArgs(['reset', 'app'], { KAFKA_BROKERS: 'k1:9092,k2:9092' }) as ResetCommand).brokers).toEqual(
      ['k1:9092', 'k2:9092'],
    );
    expect(
      (parseKStreamsArgs(['reset', 'app', '--brokers', 'z:1'], { KAFKA_BROKERS: 'k1:9092' }) as ResetCommand).brokers,
    ).toEqual(['z:1']);
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

describe('kstreams run and describe arguments', () => {
  it('parses run with and without a config file', () => {
    expect(parseKStreamsArgs(['run', 'topologies/orders.ts'], noEnv)).toEqual({
      command: 'run',
      module: 'topologies/orders.ts',
      configFile: undefined,
    });
    expect(parseKStreamsArgs(['run', '--config', 'prod.json', 'orders.ts'], noEnv)).toEqual({
      command: 'run',
      module: 'orders.ts',
      configFile: 'prod.json',
    });
    expect(parseKStreamsArgs(['run', 'orders.ts', '--config=prod.json'], noEnv)).toMatchObject({
      configFile: 'prod.json',
    });
  });

  it('parses describe, text by default', () => {
    expect(parseKStreamsArgs(['describe', 'orders.ts'], noEnv)).toEqual({
      command: 'describe',
      module: 'orders.ts',
      format: 'text',
    });
    expect(parseKStreamsArgs(['describe', '--format', 'mermaid', 'orders.ts'], noEnv)).toMatchObject({
      format: 'mermaid',
    });
  });

  it.each([
    [['run'], 'run needs a service module.', 'kstreams run <service module>'],
    [['run', 'a.ts', 'b.ts'], 'run takes one service module, got 2.', 'kstreams run <service module>'],
    [['run', 'a.ts', '--config'], '--config needs a value.', 'kstreams run <service module>'],
    [['run', 'a.ts', '--port', '1'], 'Unknown option "--port".', 'kstreams run <service module>'],
    [['describe'], 'describe needs a service module.', 'kstreams describe <service module>'],
    [['describe', 'a.ts', '--format', 'svg'], 'Unknown format "svg"; use one of: text, mermaid.', '--format'],
  ])('rejects %j with a clear CONFIG_INVALID error', (argv, reason, hint) => {
    const error = parseError(argv);
    expect(isKStreamsError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { reason: string }).reason).toBe(reason);
    expect((error as { hint: string }).hint).toContain(hint);
  });
});

describe('the kstreams command', () => {
  const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'kstreams.ts');
  // The project's pinned Node runs the .ts CLI even when the test runner was started by an older node.
  const localNode = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'node');
  const projectNode = existsSync(localNode) ? localNode : process.execPath;

  it('refuses to reset without --yes when stdin is not a terminal, before contacting Kafka', () => {
    const result = spawnSync(projectNode, [cli, 'reset', 'some-app', '--brokers', '127.0.0.1:1'], {
      encoding: 'utf8',
      input: 'y\n',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('without confirmation: stdin is not a terminal');
    expect(result.stderr).toContain('Pass --yes');
  });

  it('prints the usage for --help', () => {
    const result = spawnSync(projectNode, [cli, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: kstreams run <service module> [--config <file.json>]');
    expect(result.stdout).toContain('kstreams describe <service module>');
    expect(result.stdout).toContain('kstreams reset <application.id>');
  });
});

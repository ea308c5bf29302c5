import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile, resolveRunConfig } from '../../src/cli/run-config.ts';
import { defineService, type ServiceDefinition } from '../../src/cli/service.ts';
import { isKStreamsError } from '../../src/errors.ts';
import { StreamsBuilder } from '../../src/index.ts';

const service = defineService({
  applicationId: 'orders',
  topology: () => new StreamsBuilder().build(),
  config: { commitIntervalMs: 500, stateDir: 'service-state' },
});

function configError(run: () => unknown): { reason: string; hint: string } {
  try {
    run();
  } catch (error) {
    expect(isKStreamsError(error, 'CONFIG_INVALID'), String(error)).toBe(true);
    return error as { reason: string; hint: string };
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('the run configuration', () => {
  it('applies the built-in defaults under the service config', () => {
    const config = resolveRunConfig({ service, env: {} });
    expect(config.streams).toEqual({
      applicationId: 'orders',
      bootstrapServers: '127.0.0.1:9092',
      commitIntervalMs: 500,
      stateDir: 'service-state',
      applicationServer: '127.0.0.1:8080',
    });
    expect(config.http).toEqual({ port: 8080, host: '127.0.0.1' });
    expect(config.shutdownTimeoutMs).toBe(30_000);
    expect(config.logLevel).toBe('info');
  });

  it('lets the config file override the service config, and the environment override the file', () => {
    const file = {
      commitIntervalMs: 1000,
      stateDir: 'file-state',
      bootstrapServers: 'file:9092',
      maxPollRecords: 50,
      http: { port: 9000, host: '10.0.0.1', maxWaitMs: 5000 },
      shutdownTimeoutMs: 10_000,
      logLevel: 'warn',
    };
    const fromFile = resolveRunConfig({ service, file, fileName: 'run.json', env: {} });
    expect(fromFile.streams).toMatchObject({
      commitIntervalMs: 1000,
      stateDir: 'file-state',
      bootstrapServers: 'file:9092',
      maxPollRecords: 50,
      applicationServer: '10.0.0.1:9000',
    });
    expect(fromFile.http).toEqual({ port: 9000, host: '10.0.0.1', maxWaitMs: 5000 });
    expect(fromFile.shutdownTimeoutMs).toBe(10_000);
    expect(fromFile.logLevel).toBe('warn');

    const env = {
      KAFKA_BROKERS: 'env1:9092,env2:9092',
      STATE_DIR: '/var/lib/orders',
      HTTP_PORT: '9100',
      HTTP_HOST: '10.0.0.2',
      HTTP_BEARER_TOKEN: 'secret',
      KSTREAMS_ADAPTER: 'kafkajs',
      APPLICATION_ID: 'orders-blue',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const fromEnv = resolveRunConfig({ service, file, fileName: 'run.json', env });
    expect(fromEnv.streams).toMatchObject({
      applicationId: 'orders-blue',
      bootstrapServers: 'env1:9092,env2:9092',
      stateDir: '/var/lib/orders',
      clientAdapter: 'kafkajs',
      commitIntervalMs: 1000,
      applicationServer: '10.0.0.2:9100',
    });
    expect(fromEnv.http).toEqual({ port: 9100, host: '10.0.0.2', maxWaitMs: 5000, bearerToken: 'secret' });
    expect(fromEnv.shutdownTimeoutMs).toBe(5000);
    expect(fromEnv.logLevel).toBe('debug');
  });

  it('advertises APPLICATION_SERVER when given, and this host name when listening on every interface', () => {
    expect(
      resolveRunConfig({ service, env: { HTTP_PORT: '8081', APPLICATION_SERVER: 'orders-0.svc:8081' } }).streams
        .applicationServer,
    ).toBe('orders-0.svc:8081');
    expect(resolveRunConfig({ service, env: { HTTP_HOST: '0.0.0.0' } }).streams.applicationServer).toBe(
      `${hostname()}:8080`,
    );
  });

  it('takes the application id from the service config before the service definition', () => {
    const renamed: ServiceDefinition = { ...service, config: { applicationId: 'orders-v2' } };
    expect(resolveRunConfig({ service: renamed, env: {} }).streams.applicationId).toBe('orders-v2');
  });

  it.each([
    [{ HTTP_PORT: 'eighty' }, 'Environment variable HTTP_PORT has an invalid value "eighty".', 'from 1 to 65535'],
    [{ HTTP_PORT: '70000' }, 'Environment variable HTTP_PORT has an invalid value "70000".', 'from 1 to 65535'],
    [{ HTTP_PORT: '-1' }, 'Environment variable HTTP_PORT has an invalid value "-1".', 'from 1 to 65535'],
    [{ SHUTDOWN_TIMEOUT_MS: '1.5' }, 'Environment variable SHUTDOWN_TIMEOUT_MS has an invalid value "1.5".', '>= 0'],
    [{ LOG_LEVEL: 'verbose' }, 'Environment variable LOG_LEVEL has an invalid value "verbose".', 'debug, info'],
    [
      { KSTREAMS_ADAPTER: 'rdkafka' },
      'Environment variable KSTREAMS_ADAPTER has an invalid value "rdkafka".',
      'kafkajs',
    ],
  ])('rejects the environment %j naming the variable', (env, reason, hint) => {
    const error = configError(() => resolveRunConfig({ service, env }));
    expect(error.reason).toBe(reason);
    expect(error.hint).toContain(hint);
  });

  it('names the environment variable when its value is not a valid StreamsConfig value', () => {
    const error = configError(() => resolveRunConfig({ service, env: { KAFKA_BROKERS: 'no-port' } }));
    expect(error.reason).toContain('"bootstrapServers"');
    expect(error.reason).toContain('(set by environment variable KAFKA_BROKERS)');
    const id = configError(() => resolveRunConfig({ service, env: { APPLICATION_ID: 'has space' } }));
    expect(id.reason).toContain('(set by environment variable APPLICATION_ID)');
  });

  it.each([
    [{ commitIntervalMS: 5 }, 'In config file "run.json", unknown key "commitIntervalMS".', 'commitIntervalMs'],
    [{ http: { prot: 1 } }, 'In config file "run.json", unknown key "http.prot".', 'port'],
    [{ http: { port: '8080' } }, 'In config file "run.json", "http.port" has an invalid value "8080".', '65535'],
    [{ http: 8080 }, 'In config file "run.json", "http" is not an object.', '"port"'],
    [{ logLevel: 'loud' }, 'In config file "run.json", "logLevel" has an invalid value "loud".', 'debug'],
    [{ shutdownTimeoutMs: -1 }, 'In config file "run.json", "shutdownTimeoutMs" has an invalid value -1.', '>= 0'],
    [{ logger: {} }, 'In config file "run.json", "logger" cannot be set: JSON cannot hold it.', 'service module'],
    [[1, 2], 'The config file "run.json" is not a JSON object.', 'object'],
  ])('rejects the config file %j naming the key', (file, reason, hint) => {
    const error = configError(() => resolveRunConfig({ service, file, fileName: 'run.json', env: {} }));
    expect(error.reason).toBe(reason);
    expect(error.hint).toContain(hint);
  });

  it('names the config file when a StreamsConfig value in it is bad', () => {
    const error = configError(() =>
      resolveRunConfig({ service, file: { commitIntervalMs: 'soon' }, fileName: 'run.json', env: {} }),
    );
    expect(error.reason).toContain('"commitIntervalMs"');
    expect(error.reason).toContain('(set by config file "run.json")');
  });

  it('rejects an advertised applicationServer whose port differs from the HTTP port', () => {
    const error = configError(() =>
      resolveRunConfig({ service, env: { HTTP_PORT: '8081', APPLICATION_SERVER: 'orders-0:9999' } }),
    );
    expect(error.reason).toContain('port 9999, but the HTTP server listens on 8081');
  });

  describe('config files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstreams-run-config-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads JSON, and names the file when it is missing or not JSON', () => {
      const good = join(dir, 'good.json');
      writeFileSync(good, '{ "commitIntervalMs": 100 }');
      expect(readConfigFile(good)).toEqual({ commitIntervalMs: 100 });

      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ commitIntervalMs: 100 }');
      expect(configError(() => readConfigFile(bad)).reason).toContain(`Config file "${bad}" is not valid JSON`);
      expect(configError(() => readConfigFile(join(dir, 'missing.json'))).reason).toContain('Cannot read config file');
    });
  });
});

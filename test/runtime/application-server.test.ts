import { describe, expect, it } from 'vitest';
import { parseHostInfo } from '../../src/runtime/application-server.ts';
import { resolveStreamsConfig } from '../../src/runtime/streams-config.ts';

describe('applicationServer', () => {
  it('reads host:port, with IPv6 hosts in brackets', () => {
    expect(parseHostInfo('10.0.0.5:8080')).toEqual({ host: '10.0.0.5', port: 8080 });
    expect(parseHostInfo('app-1.internal:1')).toEqual({ host: 'app-1.internal', port: 1 });
    expect(parseHostInfo('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
  });

  it('rejects what is not host:port', () => {
    for (const bad of ['host', 'host:', ':8080', 'host:0', 'host:65536', 'a b:80', 'h:80,h2:80', 'http://h:80']) {
      expect(parseHostInfo(bad), bad).toBeUndefined();
    }
  });

  it('is optional in the configuration and checked when given', () => {
    const base = { applicationId: 'app', bootstrapServers: 'k:9092' };
    expect(resolveStreamsConfig(base).applicationServer).toBeUndefined();
    expect(resolveStreamsConfig({ ...base, applicationServer: 'h:8080' }).applicationServer).toBe('h:8080');
    expect(() => resolveStreamsConfig({ ...base, applicationServer: 'h' })).toThrow(
      /Configuration key "applicationServer" has an invalid value "h".*host:port/,
    );
  });
});

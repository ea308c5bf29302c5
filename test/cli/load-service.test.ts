import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadService } from '../../src/cli/load-service.ts';
import { isKStreamsError } from '../../src/errors.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

async function loadError(modulePath: string): Promise<{ reason: string; hint: string }> {
  const error = await loadService(modulePath, fixtures).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isKStreamsError(error, 'CONFIG_INVALID'), String(error)).toBe(true);
  return error as { reason: string; hint: string };
}

describe('loading a service module', () => {
  it('returns the default export when it is a service definition, resolving the path from cwd', async () => {
    const service = await loadService('latest-value-service.ts', fixtures);
    expect(service.applicationId).toBe('kstreams-cli-fixture');
    expect(service.topology().describe().toString()).toContain('stores: [latest]');
  });

  it('accepts a named `service` export', async () => {
    const service = await loadService('named-export-service.ts', fixtures);
    expect(service.applicationId).toBe('named-export');
  });

  it('names the module and what it exports when none is a service', async () => {
    const error = await loadError('not-a-service.ts');
    expect(error.reason).toBe(
      'Service module "not-a-service.ts" exports no service definition (its exports: answer, helper); the default or "service" export must have an applicationId and a topology() function.',
    );
    expect(error.hint).toContain('export default defineService(');
  });

  it('names the module and the error when it fails to load', async () => {
    const error = await loadError('broken-service.ts');
    expect(error.reason).toBe('Service module "broken-service.ts" failed to load: boom while loading');
  });

  it('names the path it looked for when the module does not exist', async () => {
    const error = await loadError('missing-service.ts');
    expect(error.reason).toBe(
      `Service module "missing-service.ts" not found (looked for ${join(fixtures, 'missing-service.ts')}).`,
    );
  });
});

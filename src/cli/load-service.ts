import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KStreamsError, reasonOf } from '../errors.ts';
import type { ServiceDefinition } from './service.ts';

const exampleExport = 'export default defineService({ applicationId: "my-service", topology: () => builder.build() })';

function isServiceDefinition(value: unknown): value is ServiceDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ServiceDefinition).applicationId === 'string' &&
    typeof (value as ServiceDefinition).topology === 'function'
  );
}

/**
 * Imports a service module (a path relative to `cwd`) and returns its default export, or its `service`
 * export, when that is a ServiceDefinition.
 */
export async function loadService(modulePath: string, cwd: string = process.cwd()): Promise<ServiceDefinition> {
  const file = resolve(cwd, modulePath);
  if (!existsSync(file)) {
    throw new KStreamsError('CONFIG_INVALID', `Service module "${modulePath}" not found (looked for ${file}).`, {
      hint: 'Pass the path of a .ts or .js file, relative to the working directory.',
    });
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new KStreamsError('CONFIG_INVALID', `Service module "${modulePath}" failed to load: ${reasonOf(error)}`, {
      hint: 'Fix the error in the module (run it with node to see the full stack).',
      cause: error,
    });
  }
  for (const name of ['default', 'service']) {
    if (isServiceDefinition(exports[name])) return exports[name];
  }
  const names = Object.keys(exports);
  throw new KStreamsError(
    'CONFIG_INVALID',
    `Service module "${modulePath}" exports no service definition (its exports: ${
      names.length === 0 ? 'none' : names.join(', ')
    }); the default or "service" export must have an applicationId and a topology() function.`,
    { hint: `Export one, e.g. ${exampleExport}.` },
  );
}

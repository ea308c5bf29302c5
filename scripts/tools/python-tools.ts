import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KStreamsError } from '../../src/errors.ts';
import { cacheDir } from '../kafka/cluster-layout.ts';
import { runCommand } from '../kafka/prerequisites.ts';

/** The Python tools the HTTP tests use, pinned; installed from PyPI into a venv in the project cache. */
const packages = ['schemathesis==4.32.5', 'openapi-spec-validator==0.7.2'] as const;

/** The venv's bin directory, created on first use (python3 -m venv, then pip install). */
export async function ensurePythonTools(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const venv = join(cacheDir(env), 'python-tools');
  const bin = join(venv, 'bin');
  // The marker names the pinned set, so changing a pin rebuilds the venv.
  const marker = join(venv, 'installed.txt');
  const wanted = packages.join('\n');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return bin;
  await rm(venv, { recursive: true, force: true });
  const created = await runCommand('python3', ['-m', 'venv', venv]).catch((error: unknown) => {
    throw missing('python3 could not be started', error);
  });
  if (created.code !== 0) throw missing(created.output.trim().slice(-400));
  const installed = await runCommand(join(bin, 'pip'), ['install', '--quiet', ...packages]);
  if (installed.code !== 0) throw missing(installed.output.trim().slice(-400));
  await writeFile(marker, wanted);
  return bin;
}

function missing(detail: string, cause?: unknown): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', `The Python test tools could not be installed: ${detail}`, {
    hint: `Install Python 3.9+ with venv and pip, and allow access to PyPI (${packages.join(', ')}).`,
    cause,
  });
}

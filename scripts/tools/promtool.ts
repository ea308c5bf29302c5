import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KStreamsError } from '../../src/errors.ts';
import { cacheDir } from '../kafka/cluster-layout.ts';
import { runCommand } from '../kafka/prerequisites.ts';

/**
 * Prometheus' `promtool`, used by the tests to lint the /metrics output. Taken from PATH when present,
 * else from Debian's `prometheus` package, downloaded (not installed: no service, no root needed beyond
 * apt's cache) and unpacked once into the project's cache directory.
 */
export async function ensurePromtool(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const onPath = await runCommand('promtool', ['--version']).catch(() => undefined);
  if (onPath?.code === 0) return 'promtool';
  const cached = join(cacheDir(env), 'promtool', 'promtool');
  if (existsSync(cached)) return cached;

  const work = await mkdtemp(join(tmpdir(), 'kstreams-promtool-'));
  try {
    const download = await runCommand('apt-get', ['download', 'prometheus'], work).catch((error: unknown) => {
      throw missingPromtool('apt-get could not be started', error);
    });
    const deb = (await readdir(work)).find((name) => name.startsWith('prometheus_') && name.endsWith('.deb'));
    if (download.code !== 0 || deb === undefined) throw missingPromtool(download.output.trim().slice(-400));
    const unpacked = await runCommand('dpkg', ['-x', deb, 'root'], work);
    if (unpacked.code !== 0) throw missingPromtool(unpacked.output.trim().slice(-400));
    await mkdir(join(cacheDir(env), 'promtool'), { recursive: true });
    await copyFile(join(work, 'root', 'usr', 'bin', 'promtool'), `${cached}.partial`);
    await rename(`${cached}.partial`, cached);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function missingPromtool(detail: string, cause?: unknown): KStreamsError {
  return new KStreamsError('CONFIG_INVALID', `promtool is not available and could not be fetched: ${detail}`, {
    hint: 'Install it (`apt-get install prometheus`, or put promtool from a Prometheus release on PATH).',
    cause,
  });
}

/** Runs `promtool check metrics` on an exposition text; resolves to its output and exit code. */
export function checkMetricsText(promtool: string, text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.end(text);
  });
}

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../scripts/kafka/prerequisites.ts';
import { ensurePythonTools } from '../../scripts/tools/python-tools.ts';

/** The query server over fake stores in a child process, so the fuzzer's load does not share our loop. */
let server: ChildProcess;
let base: string;
let tools: string;

beforeAll(async () => {
  tools = await ensurePythonTools();
  server = spawn(process.execPath, [join(import.meta.dirname, 'support', 'fuzz-server.ts'), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    server.once('exit', (code) => reject(new Error(`fuzz server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
}, 240_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const document = await (await fetch(`${base}/openapi.json`)).text();
    const file = join(tmpdir(), `kstreams-openapi-${process.pid}.json`);
    await writeFile(file, document);
    const result = await runCommand(join(tools, 'openapi-spec-validator'), [file]);
    expect(result.output).toContain('OK');
    expect(result.code).toBe(0);
  });

  it('fails validation when broken, so the check is real', async () => {
    const file = join(tmpdir(), `kstreams-openapi-broken-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ openapi: '3.0.3', paths: { '/x': { get: { responses: 'nope' } } } }));
    const result = await runCommand(join(tools, 'openapi-spec-validator'), [file]);
    expect(result.code).not.toBe(0);
  });

  it('survives a property-based fuzzer (schemathesis) with no unexpected 5xx and conforming answers', async () => {
    const result = await runCommand(
      join(tools, 'schemathesis'),
      [
        '--config-file',
        join(import.meta.dirname, 'schemathesis.toml'),
        'run',
        `${base}/openapi.json`,
        '--checks',
        'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--max-examples',
        '40',
        '--workers',
        '1',
        '--seed',
        '1',
      ],
      // schemathesis and hypothesis keep caches in the working directory: keep them out of the checkout.
      tmpdir(),
    );
    expect(result.output).toMatch(/\d+ generated, \d+ passed/);
    expect(result.code, result.output.slice(-3000)).toBe(0);
  }, 240_000);
});

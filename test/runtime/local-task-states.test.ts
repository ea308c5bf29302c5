import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localTaskStates } from '../../src/runtime/local-task-states.ts';

describe('localTaskStates', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the task directories whose LMDB data file is not empty', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-local-states-'));
    dirs.push(stateDir);
    const task = (name: string, data: string | undefined) => {
      mkdirSync(join(stateDir, 'app', name, 'lmdb'), { recursive: true });
      if (data !== undefined) writeFileSync(join(stateDir, 'app', name, 'lmdb', 'data.mdb'), data);
    };
    task('1_0', 'pages');
    task('0_3', 'pages');
    task('0_4', '');
    task('0_5', undefined);
    task('not-a-task', 'pages');
    expect(localTaskStates({ stateDir, applicationId: 'app' })).toEqual(['0_3', '1_0']);
  });

  it('finds nothing when the application has no state directory yet', () => {
    expect(localTaskStates({ stateDir: join(tmpdir(), 'kstreams-missing-dir'), applicationId: 'app' })).toEqual([]);
  });
});

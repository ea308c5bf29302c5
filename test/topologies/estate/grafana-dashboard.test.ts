import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePromtool } from '../../../scripts/tools/promtool.ts';
import { StreamsMetrics } from '../../../src/metrics/index.ts';

interface Panel {
  readonly title: string;
  readonly targets: ReadonlyArray<{ readonly expr: string }>;
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../../topologies/estate/grafana/kstreams-estate.json', import.meta.url), 'utf8'),
) as { panels: Panel[] };

describe('the Grafana dashboard', () => {
  it('queries only metrics the apps export, with valid PromQL', async () => {
    const exported = await new StreamsMetrics({
      applicationId: 'a',
      appStates: ['RUNNING'],
      defaultMetrics: false,
    }).text();
    const names = new Set([...exported.matchAll(/^# TYPE (\S+) (\S+)/gm)].map((m) => m[1]));
    const rules = ['groups:', '  - name: dashboard', '    rules:'];
    for (const [i, panel] of dashboard.panels.entries()) {
      for (const { expr } of panel.targets) {
        for (const [metric] of expr.matchAll(/kstreams_[a-z_]+/g)) {
          const base = metric.replace(/_(bucket|sum|count)$/, '');
          expect(names.has(base), `${panel.title}: ${metric}`).toBe(true);
        }
        rules.push(`      - record: dashboard:panel${i}`, `        expr: ${JSON.stringify(expr)}`);
      }
    }
    const file = join(tmpdir(), `kstreams-dashboard-rules-${process.pid}.yml`);
    writeFileSync(file, `${rules.join('\n')}\n`);
    const result = spawnSync(await ensurePromtool(), ['check', 'rules', file], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  }, 120_000);
});

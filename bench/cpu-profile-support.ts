import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** "src/runtime/stream-task.ts:process:104", "node_modules/@platformatic/kafka/...", "(garbage collector)". */
  readonly where: string;
  /** Share of all samples, in percent. */
  readonly pct: number;
}

function location(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

/**
 * Self time per function (time spent in the function itself, not its callees), largest first, from the
 * samples weighted by their time deltas. `root` shortens paths (the project directory).
 */
export function topSelfTime(file: string, root: string, count = 15): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    nameOf.set(node.id, url === '' ? name : `${location(url, root)}:${name}:${lineNumber + 1}`);
  }
  const byWhere = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    const where = nameOf.get(profile.samples[i] as number) ?? '(unknown)';
    byWhere.set(where, (byWhere.get(where) ?? 0) + delta);
    total += delta;
  }
  return [...byWhere]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, time]) => ({ where, pct: Math.round((time / total) * 1000) / 10 }));
}

/** Self time grouped by area: each src/ folder, each package in node_modules, Node internals, GC, idle. */
export function selfTimeByArea(file: string, root: string): SelfTime[] {
  const all = topSelfTime(file, root, Number.MAX_SAFE_INTEGER);
  const byArea = new Map<string, number>();
  for (const { where, pct } of all) {
    const path = where.split(':')[0] ?? where;
    const area = where.startsWith('node:')
      ? 'node internals'
      : path.startsWith('src/')
        ? path.split('/').slice(0, 2).join('/')
        : path.includes('node_modules/')
          ? `node_modules/${packageOf(path.split('node_modules/').pop() ?? '')}`
          : path.startsWith('bench/')
            ? 'bench'
            : where.startsWith('(')
              ? where
              : 'native (V8 builtins, wasm)';
    byArea.set(area, (byArea.get(area) ?? 0) + pct);
  }
  return [...byArea].sort((a, b) => b[1] - a[1]).map(([where, pct]) => ({ where, pct: Math.round(pct * 10) / 10 }));
}

/** "@platformatic/kafka/dist/x.js" -> "@platformatic/kafka", "kafkajs/src/x.js" -> "kafkajs". */
function packageOf(pathInNodeModules: string): string {
  const parts = pathInNodeModules.split('/');
  return parts.slice(0, parts[0]?.startsWith('@') ? 2 : 1).join('/');
}

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { kafkaVersion } from '../scripts/kafka/cluster-layout.ts';

export interface MachineInfo {
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  /** The broker release the project runs (scripts/kafka); the benchmark does not ask the broker. */
  readonly brokerVersion: string;
}

export function machineInfo(): MachineInfo {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    brokerVersion: kafkaVersion,
  };
}

/** CPU time counters read from Linux /proc, to tell whether the pipe or the broker is the bottleneck. */
export interface CpuSample {
  readonly at: number;
  /** Busy jiffies of the whole machine (all cores). */
  readonly machineBusy: number;
  /** Jiffies used by the broker processes (see brokerPids). */
  readonly kafka: number;
}

// USER_HZ is 100 on every mainstream Linux build.
const jiffiesPerSecond = 100;

function machineBusyJiffies(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return total - (fields[3] ?? 0) - (fields[4] ?? 0);
}

function processJiffies(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * The local processes listening on the brokers' ports: the broker the benchmark talks to, and not any
 * other broker on the machine. Empty where /proc is not available or the brokers are remote.
 */
export function brokerPids(brokers: readonly string[]): number[] {
  try {
    const ports = new Set(brokers.map((broker) => Number(broker.slice(broker.lastIndexOf(':') + 1))));
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const columns = row.trim().split(/\s+/);
        const port = Number.parseInt(columns[1]?.split(':')[1] ?? '', 16);
        // State 0A is LISTEN.
        if (columns[3] === '0A' && ports.has(port) && columns[9] !== undefined) inodes.add(`socket:[${columns[9]}]`);
      }
    }
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const fds = readdirSync(`/proc/${entry}/fd`);
        if (fds.some((fd) => inodes.has(safeReadLink(`/proc/${entry}/fd/${fd}`)))) pids.push(Number(entry));
      } catch {
        // Not ours to read, or it ended while we looked.
      }
    }
    return pids;
  } catch {
    return [];
  }
}

function safeReadLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** A sample, or undefined where /proc is not available (not Linux). */
export function sampleCpu(kafkaPids: readonly number[]): CpuSample | undefined {
  try {
    return {
      at: performance.now(),
      machineBusy: machineBusyJiffies(),
      kafka: kafkaPids.reduce((sum, pid) => sum + processJiffies(pid), 0),
    };
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** Percent of one core (a machine with 2 cores tops out at 200). */
  readonly machinePct: number;
  /** Null when no local broker process was found. */
  readonly kafkaPct: number | null;
}

export function cpuShareBetween(
  start: CpuSample | undefined,
  end: CpuSample | undefined,
  kafkaFound: boolean,
): CpuShare | undefined {
  if (start === undefined || end === undefined) return undefined;
  const seconds = (end.at - start.at) / 1000;
  if (seconds <= 0) return undefined;
  const pct = (jiffies: number) => Math.round((jiffies / jiffiesPerSecond / seconds) * 100);
  return {
    machinePct: pct(end.machineBusy - start.machineBusy),
    kafkaPct: kafkaFound ? pct(end.kafka - start.kafka) : null,
  };
}

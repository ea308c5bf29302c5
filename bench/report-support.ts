// What the scenarios' reports share: medians and ratio cells, the header lines of a RESULTS.md section,
// and the output step (JSON lines or the markdown table, and the RESULTS.md section).
import { fileURLToPath } from 'node:url';
import type { AdapterName } from '../src/kafka/index.ts';
import type { MachineInfo } from './machine-support.ts';
import { formatCount, writeResultsSection } from './results-support.ts';
import type { EngineSettings } from './stateless-protocol-support.ts';
import { median, round } from './stats-support.ts';

const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

interface RateRun {
  readonly recordsPerSec: number;
}

/** The median records/s of the runs, rounded. */
export function medianRate(runs: readonly RateRun[]): number {
  return Math.round(median(runs.map((r) => r.recordsPerSec)));
}

/** Measured records/s over baseline records/s, to 3 digits. */
export function rateRatio(recordsPerSec: number, baselineRecordsPerSec: number): number {
  return round(recordsPerSec / baselineRecordsPerSec, 3);
}

export function peakRss(runs: readonly { readonly peakRssMb: number }[]): number {
  return Math.max(...runs.map((r) => r.peakRssMb));
}

/** Each run's records/s, for a "runs" column. */
export function runRates(runs: readonly RateRun[]): string {
  return runs.map((run) => formatCount(run.recordsPerSec)).join(' / ');
}

/** The run whose records/s is the reported median (or the first run), for the CPU columns. */
export function middleRun<Run extends RateRun>(runs: readonly Run[], recordsPerSec: number): Run | undefined {
  return runs.find((run) => run.recordsPerSec === recordsPerSec) ?? runs[0];
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** A ratio cell against its target share, e.g. "83% (target met)". */
export function ratioCell(ratio: number, target: number): string {
  return `${percent(ratio)} ${ratio >= target ? '(target met)' : `(below ${percent(target)})`}`;
}

/** The command that reproduces this invocation, brokers included. */
export function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return `KAFKA_BROKERS=${process.env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092'} npm run bench -- ${args}`;
}

/** The title, date, machine and command lines every RESULTS.md section starts with. */
export function sectionHeader(title: string, machine: MachineInfo): string[] {
  return [
    title,
    '',
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ${machine.os}; Node ${machine.node}; Kafka ${machine.brokerVersion}, one KRaft broker on the same machine, sharing its CPUs`,
    `- Command: \`${commandLine()}\``,
  ];
}

/** Each adapter's engine StreamsConfig, for the "Engine settings" line. */
export function engineSettingsText(
  results: readonly { readonly adapter: AdapterName; readonly settings: EngineSettings }[],
): string {
  return results
    .map(
      (r) =>
        `${r.adapter}: commitIntervalMs ${r.settings.commitIntervalMs}, maxPollRecords ${r.settings.maxPollRecords}, bufferedRecordsPerPartition ${r.settings.bufferedRecordsPerPartition}, fetchMaxBytes ${r.settings.fetchMaxBytes}, lingerMs ${r.settings.lingerMs}`,
    )
    .join('; ');
}

export interface ScenarioReport {
  readonly scenario: string;
  /** One JSON object per adapter on stdout instead of the markdown. */
  readonly json: boolean;
  /** Each adapter's JSON line, without the brokers, machine and date every line ends with. */
  readonly jsonLines: readonly Readonly<Record<string, unknown>>[];
  readonly brokers: readonly string[];
  readonly machine: MachineInfo;
  readonly markdown: string;
  /** Whether the run used the defaults, so its section of RESULTS.md is replaced. */
  readonly writeResults: boolean;
  readonly log: (message: string) => void;
}

export function emitReport(report: ScenarioReport): void {
  if (report.json) {
    for (const line of report.jsonLines) {
      const full = { ...line, brokers: report.brokers, machine: report.machine, date: new Date().toISOString() };
      process.stdout.write(`${JSON.stringify(full)}\n`);
    }
  }
  if (!report.json) process.stdout.write(`${report.markdown}\n`);
  if (report.writeResults) {
    writeResultsSection(resultsFile, report.scenario, report.markdown);
    report.log(`wrote the table to ${resultsFile}`);
  }
}

import type { StatsSnapshot, TrackedOutcome } from './demo-stats.ts';
import { orderKinds } from './order-mix.ts';

export interface ServiceView {
  readonly name: string;
  readonly url: string;
  /** Consumer lag in records; undefined when its /metrics did not answer. */
  readonly lag: number | undefined;
}

export interface SummaryInput {
  readonly elapsedS: number;
  readonly stats: StatsSnapshot;
  readonly services: readonly ServiceView[];
  /** The public orders URL, e.g. http://localhost:8080 */
  readonly ordersUrl: string;
  /** The trace service's URL, when it runs (GET /orders/:id/trace). */
  readonly traceUrl: string | undefined;
  readonly exampleOrderId: string | undefined;
  readonly problems: readonly string[];
}

const shownOutcomes: readonly TrackedOutcome[] = [
  'PENDING',
  'CONFIRMED',
  'REJECTED',
  'SHIPPED',
  'POST_FAILED',
  'UNKNOWN',
];

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} ms`);

/** The live summary as lines of text (the same for a terminal redraw and for plain logging). */
export function renderSummary(input: SummaryInput): string[] {
  const { stats } = input;
  const counts = shownOutcomes
    .filter((outcome) => stats.byOutcome[outcome] > 0 || outcome === 'CONFIRMED' || outcome === 'REJECTED')
    .map((outcome) => `${outcome} ${stats.byOutcome[outcome]}`)
    .join('  ');
  const kinds = orderKinds
    .filter((kind) => stats.byKind.has(kind))
    .map((kind) => {
      const outcomes = [...(stats.byKind.get(kind) ?? new Map<TrackedOutcome, number>())]
        .map(([outcome, count]) => `${outcome.toLowerCase()} ${count}`)
        .join(', ');
      return `    ${kind.padEnd(16)} ${outcomes}`;
    });
  const width = Math.max(...input.services.map((service) => service.name.length), 8);
  const services = input.services.map(
    (service) =>
      `    ${service.name.padEnd(width)}  lag ${String(service.lag ?? '?').padStart(6)}   ${service.url}/stores  ${service.url}/metrics`,
  );
  const example = input.exampleOrderId ?? '<id>';
  return [
    `kstreams order estate demo: ${Math.floor(input.elapsedS)} s`,
    `  orders posted ${stats.posted} (${stats.postRate.toFixed(1)}/s)   ${counts}`,
    `  REQUESTED -> terminal state: p50 ${ms(stats.p50Ms)}  p99 ${ms(stats.p99Ms)}`,
    '  by design:',
    ...kinds,
    '  services:',
    ...services,
    `  query an order: ${input.ordersUrl}/orders/${example}`,
    ...(input.traceUrl === undefined ? [] : [`  its story:      ${input.traceUrl}/orders/${example}/trace`]),
    ...(stats.lastError === undefined ? [] : [`  last error: ${stats.lastError}`]),
    ...input.problems.slice(-3).map((problem) => `  problem: ${problem}`),
    '  Ctrl-C stops the demo.',
  ];
}

/** The summary in one line, for output that is not a terminal. */
export function renderSummaryLine(input: SummaryInput): string {
  const { stats } = input;
  const counts = shownOutcomes
    .filter((outcome) => stats.byOutcome[outcome] > 0)
    .map((outcome) => `${outcome} ${stats.byOutcome[outcome]}`)
    .join(' ');
  const lags = input.services.map((service) => `${service.name}=${service.lag ?? '?'}`).join(' ');
  return `[${Math.floor(input.elapsedS)}s] posted ${stats.posted} (${stats.postRate.toFixed(1)}/s) ${counts} | p50 ${ms(stats.p50Ms)} p99 ${ms(stats.p99Ms)} | lag ${lags}`;
}

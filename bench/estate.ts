// Scenario `estate`: the order path of the event-driven estate end to end. The orders, order-details,
// fraud, stock and payments services run as separate processes (`kstreams run`); this process offers
// orders over HTTP at a fixed rate, pays each one, and measures REQUESTED -> CONFIRMED by long-polling.
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafkaClient, type Producer } from '../src/kafka/index.ts';
import { failCheck } from './bench-topics-support.ts';
import { type OrderOutcome, offerOrders } from './estate-load-support.ts';
import { EstateServices } from './estate-services-support.ts';
import {
  createEstateTopics,
  dropEstate,
  type EstateBenchService,
  estateBenchServices,
  estateTopicNames,
  seedEstate,
} from './estate-topics-support.ts';
import { brokerPids, cpuShareBetween, type MachineInfo, sampleCpu } from './machine-support.ts';
import { emitReport, sectionHeader } from './report-support.ts';
import { formatCount, markdownTable } from './results-support.ts';
import { withScenarioSession } from './scenario-session-support.ts';
import { type BenchScenario, integerFlag, parseFlags } from './scenario-support.ts';
import { median, quantile, round } from './stats-support.ts';

const defaults = { rate: 200, seconds: 30, runs: 3 } as const;
const quick = { rate: 50, seconds: 10, runs: 1 } as const;
const confirmWaitMs = 30_000;
const postConcurrency = 128;
const readyTimeoutMs = 180_000;

const usage = `Usage: npm run bench -- estate [options]

The estate's order path end to end: orders, order-details, fraud, stock and payments each run as their
own process (\`kstreams run topologies/<service>.ts\`, own port and state dir) under a fresh ESTATE_PREFIX
per run, with stock and customers seeded so every order can pass. This process POSTs orders to /orders
at a fixed rate, produces each order's payment (the right amount) to \`payments\` right after its 201, and
long-polls GET /orders/:id?wait=${confirmWaitMs}&until=confirmed; latency is from the POST to the
CONFIRMED answer. An order not CONFIRMED within the wait fails the run.
Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092).

  --rate N       orders offered per second (default ${defaults.rate})
  --seconds N    how long orders are offered, per run (default ${defaults.seconds})
  --runs N       runs, each with fresh topics and services; medians are reported (default ${defaults.runs})
  --quick        a small run: ${quick.rate} orders/s for ${quick.seconds} s, ${quick.runs} run (explicit flags still win)
  --json         one JSON object on stdout instead of the markdown table

With every flag at its default (and no --quick), the table is also written to bench/RESULTS.md.`;

const flagSpec = {
  rate: { type: 'string' },
  seconds: { type: 'string' },
  runs: { type: 'string' },
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

interface EstateOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly runs: number;
  readonly json: boolean;
  readonly fullSize: boolean;
}

function parseEstateOptions(argv: readonly string[]): EstateOptions {
  const flags = parseFlags(argv, flagSpec, usage);
  const base = flags.get('quick') === true ? quick : defaults;
  const options = {
    rate: integerFlag(flags, 'rate', base.rate, usage, 1, 100_000),
    seconds: integerFlag(flags, 'seconds', base.seconds, usage, 2, 3600),
    runs: integerFlag(flags, 'runs', base.runs, usage, 1, 100),
    json: flags.get('json') === true,
  };
  const fullSize =
    options.rate === defaults.rate && options.seconds === defaults.seconds && options.runs === defaults.runs;
  return { ...options, fullSize };
}

function log(message: string): void {
  process.stderr.write(`[bench estate] ${message}\n`);
}

interface EstateRunResult {
  readonly offered: number;
  readonly offeredPerSec: number;
  /** Orders confirmed per second over the steady part (after the warm-up, until the last order was offered). */
  readonly confirmedPerSec: number;
  readonly confirmed: number;
  readonly notConfirmed: number;
  readonly rejected: number;
  readonly timedOut: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Percent of one core per service, from the first order offered to the last outcome. */
  readonly serviceCpuPct: Readonly<Record<EstateBenchService, number>>;
  readonly brokerCpuPct: number | null;
  readonly machineCpuPct: number | null;
  /** The first few problems, for the log. */
  readonly problems: readonly string[];
}

/** The warm-up left out of the achieved rate: the first fifth of the offer, at least one second. */
function warmUpSeconds(seconds: number): number {
  return Math.max(1, seconds / 5);
}

function summarizeRun(
  options: EstateOptions,
  outcomes: readonly OrderOutcome[],
  offerSeconds: number,
): Omit<EstateRunResult, 'serviceCpuPct' | 'brokerCpuPct' | 'machineCpuPct'> {
  const latencies: number[] = [];
  const confirmedAt: number[] = [];
  const problems: string[] = [];
  let rejected = 0;
  let timedOut = 0;
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.kind === 'confirmed') {
      latencies.push(outcome.latencyMs);
      confirmedAt.push(outcome.confirmedAtMs);
      continue;
    }
    if (outcome.kind === 'rejected') rejected++;
    else if (outcome.kind === 'timed-out') timedOut++;
    else failed++;
    if (problems.length < 5) problems.push(outcome.kind === 'timed-out' ? 'timed out' : outcome.reason);
  }
  latencies.sort((a, b) => a - b);
  const warmUpMs = warmUpSeconds(options.seconds) * 1000;
  const steadyEndMs = options.seconds * 1000;
  const steady = confirmedAt.filter((at) => at >= warmUpMs && at < steadyEndMs).length;
  const at = (q: number) => (latencies.length === 0 ? Number.NaN : round(quantile(latencies, q), 1));
  return {
    offered: outcomes.length,
    offeredPerSec: round(outcomes.length / offerSeconds, 1),
    confirmedPerSec: round(steady / ((steadyEndMs - warmUpMs) / 1000), 1),
    confirmed: latencies.length,
    notConfirmed: outcomes.length - latencies.length,
    rejected,
    timedOut,
    failed,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: latencies.length === 0 ? Number.NaN : round(latencies[latencies.length - 1] as number, 1),
    problems,
  };
}

interface RunContext {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly producer: Producer;
  readonly admin: Parameters<typeof createEstateTopics>[0];
  readonly onServices: (services: EstateServices | undefined) => void;
}

async function runOnce(options: EstateOptions, context: RunContext): Promise<EstateRunResult> {
  const names = estateTopicNames(context.prefix);
  const orders = options.rate * options.seconds;
  const customers = Math.max(100, Math.ceil(orders / 3));
  await createEstateTopics(context.admin, names);
  await seedEstate(context.producer, names, { unitsPerProduct: orders * 2 + 1_000, customers });
  log(`prefix ${context.prefix}: seeded stock and ${formatCount(customers)} customers; starting the services`);
  const startedAt = performance.now();
  const services = await EstateServices.start(estateBenchServices, {
    brokers: context.brokers,
    prefix: context.prefix,
    readyTimeoutMs,
  });
  context.onServices(services);
  try {
    log(
      `services ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; offering ${formatCount(orders)} orders`,
    );
    // Let the first fetches of every group settle, so the first orders do not measure the start-up.
    await sleep(1000);
    const kafkaPids = brokerPids(context.brokers);
    const cpuBefore = services.cpuSeconds();
    const machineBefore = sampleCpu(kafkaPids);
    const loadStart = performance.now();
    const load = await offerOrders({
      ordersBase: services.base('orders'),
      paymentsTopic: names.payments,
      producer: context.producer,
      rate: options.rate,
      seconds: options.seconds,
      confirmWaitMs,
      postConcurrency,
      customers,
      idPrefix: `${context.prefix}order-`,
    });
    const elapsedSeconds = (performance.now() - loadStart) / 1000;
    const cpuAfter = services.cpuSeconds();
    const share = cpuShareBetween(machineBefore, sampleCpu(kafkaPids), kafkaPids.length > 0);
    services.assertAlive();
    const serviceCpuPct = Object.fromEntries(
      estateBenchServices.map((service) => [
        service,
        Math.round((((cpuAfter.get(service) ?? 0) - (cpuBefore.get(service) ?? 0)) / elapsedSeconds) * 100),
      ]),
    ) as Record<EstateBenchService, number>;
    return {
      ...summarizeRun(options, load.outcomes, load.offerSeconds),
      serviceCpuPct,
      brokerCpuPct: share?.kafkaPct ?? null,
      machineCpuPct: share?.machinePct ?? null,
    };
  } finally {
    context.onServices(undefined);
    await services.stop();
  }
}

interface EstateSummary {
  readonly runs: readonly EstateRunResult[];
  readonly confirmedPerSec: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly offeredPerSec: number;
  readonly notConfirmed: number;
  readonly passed: boolean;
}

function summarize(runs: readonly EstateRunResult[]): EstateSummary {
  const med = (pick: (run: EstateRunResult) => number) => round(median(runs.map(pick)), 1);
  const notConfirmed = runs.reduce((sum, run) => sum + run.notConfirmed, 0);
  return {
    runs,
    confirmedPerSec: med((r) => r.confirmedPerSec),
    p50Ms: med((r) => r.p50Ms),
    p95Ms: med((r) => r.p95Ms),
    p99Ms: med((r) => r.p99Ms),
    maxMs: med((r) => r.maxMs),
    offeredPerSec: med((r) => r.offeredPerSec),
    notConfirmed,
    passed: notConfirmed === 0,
  };
}

function describeRun(run: EstateRunResult): string {
  const cpu = estateBenchServices.map((service) => `${service} ${run.serviceCpuPct[service]}%`).join(', ');
  return (
    `offered ${run.offeredPerSec}/s, confirmed ${run.confirmedPerSec}/s (steady), p50 ${run.p50Ms} ms, p95 ${run.p95Ms} ms, ` +
    `p99 ${run.p99Ms} ms, max ${run.maxMs} ms; ${formatCount(run.confirmed)}/${formatCount(run.offered)} confirmed ` +
    `(${run.rejected} rejected, ${run.timedOut} timed out, ${run.failed} failed); CPU ${cpu}; ` +
    `broker ${run.brokerCpuPct ?? '?'}%, machine ${run.machineCpuPct ?? '?'}%`
  );
}

export const estateScenario: BenchScenario = { name: 'estate', usage, run: runEstateScenario };

async function runEstateScenario(argv: readonly string[]): Promise<void> {
  const options = parseEstateOptions(argv);
  let summary: EstateSummary | undefined;
  await withScenarioSession(
    { scenario: 'estate', adapters: ['platformatic'], log, stopping: 'the services' },
    async ({ brokers, machine, id, firstAdapter, connection, topics }) => {
      let running: EstateServices | undefined;
      const interrupt = () => running?.kill();
      process.once('SIGINT', interrupt);
      const producer = createKafkaClient(connection(firstAdapter), firstAdapter).producer({ lingerMs: 0 });
      const runs: EstateRunResult[] = [];
      try {
        for (let run = 1; run <= options.runs; run++) {
          const prefix = `bench-estate-${id}-${run}-`;
          try {
            const result = await runOnce(options, {
              brokers,
              prefix,
              producer,
              admin: topics.admin,
              onServices: (services) => {
                running = services;
              },
            });
            log(`run ${run}/${options.runs}: ${describeRun(result)}`);
            for (const problem of result.problems) log(`  not confirmed: ${problem}`);
            runs.push(result);
          } finally {
            await dropEstate(topics.admin, prefix, log);
          }
        }
      } finally {
        process.removeListener('SIGINT', interrupt);
        await producer.close();
      }
      summary = summarize(runs);
      emitReport({
        scenario: 'estate',
        json: options.json,
        jsonLines: [
          {
            scenario: 'estate',
            rate: options.rate,
            seconds: options.seconds,
            confirmWaitMs,
            confirmedPerSec: summary.confirmedPerSec,
            p50Ms: summary.p50Ms,
            p95Ms: summary.p95Ms,
            p99Ms: summary.p99Ms,
            maxMs: summary.maxMs,
            offeredPerSec: summary.offeredPerSec,
            notConfirmed: summary.notConfirmed,
            passed: summary.passed,
            runs,
          },
        ],
        brokers,
        machine,
        markdown: renderMarkdown(options, machine, summary),
        writeResults: options.fullSize,
        log,
      });
    },
  );
  if (summary !== undefined && !summary.passed) {
    throw failCheck(
      `${formatCount(summary.notConfirmed)} orders were not CONFIRMED within ${confirmWaitMs} ms; every order is valid, paid and in stock, so each must be.`,
    );
  }
}

function renderMarkdown(options: EstateOptions, machine: MachineInfo, summary: EstateSummary): string {
  const middle = summary.runs.find((run) => run.confirmedPerSec === summary.confirmedPerSec) ?? summary.runs[0];
  const table = markdownTable(
    [
      'Offered orders/s',
      'Confirmed orders/s (median)',
      'Runs',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'Not confirmed',
      ...estateBenchServices.map((service) => `${service} CPU %`),
      'Broker CPU %',
      'Result',
    ],
    [
      [
        `${formatCount(options.rate)} (achieved ${summary.offeredPerSec})`,
        String(summary.confirmedPerSec),
        summary.runs.map((run) => String(run.confirmedPerSec)).join(' / '),
        String(summary.p50Ms),
        String(summary.p95Ms),
        String(summary.p99Ms),
        String(summary.maxMs),
        formatCount(summary.notConfirmed),
        ...estateBenchServices.map((service) => String(middle?.serviceCpuPct[service] ?? 'n/a')),
        String(middle?.brokerCpuPct ?? 'n/a'),
        summary.passed ? 'passed' : 'FAILED',
      ],
    ],
  );
  return [
    ...sectionHeader('## estate: orders end to end, REQUESTED -> CONFIRMED', machine),
    `- Services: orders, order-details, fraud, stock and payments, each \`kstreams run topologies/<service>.ts\` in its own process (own HTTP port and state dir, LOG_LEVEL=warn), with fresh topics (4 partitions) under a new ESTATE_PREFIX per run; stock and customers are seeded so every order passes its checks.`,
    `- Load: ${formatCount(options.rate)} orders/s offered for ${options.seconds} s per run from this process (keep-alive HTTP, at most ${postConcurrency} POSTs in flight); each order's payment (quantity x price) is produced to \`payments\` right after its 201; latency is from the POST to the answer CONFIRMED of a concurrent long-poll GET /orders/:id?wait=${confirmWaitMs}&until=confirmed. Percentiles cover every order; "achieved" is orders POSTed per second (below the offer when every POST slot was busy); "Confirmed orders/s" counts confirmations (a backlog from the warm-up drains into it) from ${warmUpSeconds(options.seconds)} s after the first order to the end of the offer. An order not CONFIRMED within the wait fails the run.`,
    `- ${options.runs} run(s); medians are reported. CPU columns are percent of one core from the first order to the last answer, for the median run; the services, the load generator and the broker share the machine's CPUs.`,
    '',
    table,
  ].join('\n');
}

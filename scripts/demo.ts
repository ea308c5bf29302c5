// `npm start`: the order estate demo. Starts a local Kafka when KAFKA_BROKERS is unset, creates and seeds
// the estate's topics, runs every service in topologies/ as its own process, drives orders and payments
// through them and shows a live summary until Ctrl-C (or --duration).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isKStreamsError } from '../src/errors.ts';
import { createKafkaClient } from '../src/kafka/index.ts';
import { estatePrefix } from '../topologies/estate/topics.ts';
import { type DemoOptions, parseDemoArgs } from './demo/demo-args.ts';
import { DemoStats } from './demo/demo-stats.ts';
import { catalogue, products } from './demo/estate-catalogue.ts';
import { createEstateTopics, EstateWriter } from './demo/estate-writer.ts';
import { LoadGenerator } from './demo/load-generator.ts';
import { OrderMix } from './demo/order-mix.ts';
import { Restocker } from './demo/restocker.ts';
import { serviceLag } from './demo/service-lag.ts';
import {
  findServices,
  type RunningService,
  startServiceProcess,
  stopServices,
  waitUntilReady,
} from './demo/service-processes.ts';
import { renderSummary, renderSummaryLine, type SummaryInput } from './demo/summary-view.ts';
import { TerminalOutput } from './demo/terminal-output.ts';
import { startKafka, stopKafka } from './kafka/local-cluster.ts';

const repoDir = fileURLToPath(new URL('..', import.meta.url));
const readyTimeoutMs = 180_000;
const drainMs = 5000;
// Above each service's own shutdown bound (the runner's default is 30 s).
const stopTimeoutMs = 40_000;
const restockEveryMs = 3000;

/** Resolves when the demo should stop: Ctrl-C, SIGTERM, or the end of --duration. */
function stopRequested(options: DemoOptions): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // A second Ctrl-C while stopping means "now".
      process.once(signal, () => process.exit(130));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (options.durationS !== undefined) {
      setTimeout(() => resolve(`--duration ${options.durationS}`), options.durationS * 1000).unref();
    }
  });
}

async function runDemo(options: DemoOptions): Promise<void> {
  const log = (line: string) => console.log(line);
  const demoDir = process.env.DEMO_STATE_DIR ?? join(repoDir, 'state', 'demo');
  const kafka = await startKafka({ log });
  const services = findServices(repoDir, options.port, demoDir);
  const client = createKafkaClient({ brokers: kafka.bootstrap, clientId: 'kstreams-demo' });
  const admin = client.admin();
  const producer = client.producer({ lingerMs: 5 });
  const running: RunningService[] = [];
  const problems: string[] = [];
  try {
    await createEstateTopics(admin);
    const writer = new EstateWriter(producer);
    const mix = new OrderMix(randomBytes(3).toString('hex'));
    await writer.stockLevels(products.map((product) => ({ product, quantity: catalogue[product].stock })));
    await writer.customers([...mix.takeNewCustomers(), mix.bigSpender()]);
    log(`Estate topics ready${estatePrefix === '' ? '' : ` (prefix ${estatePrefix})`}; stock and customers seeded.`);

    log(`Starting ${services.map((service) => service.name).join(', ')}; logs in ${join(demoDir, 'logs')}`);
    for (const service of services) running.push(await startServiceProcess(repoDir, service, kafka.bootstrap));
    for (const service of running) {
      void service.exited.then((how) => problems.push(`${service.name} exited (${how}), see ${service.logFile}`));
    }
    await Promise.all(running.map((service) => waitUntilReady(service, readyTimeoutMs)));
    log('Every service is ready.');

    const url = (port: number) => `http://127.0.0.1:${port}`;
    const stock = services.find((service) => service.name === 'stock');
    const restocker = stock === undefined ? undefined : new Restocker(url(stock.port), writer);
    const restock = async () => {
      await restocker?.restock().catch((error) => problems.push(`restocking failed: ${(error as Error).message}`));
    };
    await restock();

    const stats = new DemoStats();
    const ordersUrl = url(options.port);
    const load = new LoadGenerator({
      ordersUrl,
      rate: options.rate,
      mix,
      writer,
      stats,
      onProblem: (message) => problems.push(message),
    });
    const output = new TerminalOutput();
    const started = Date.now();
    const trace = services.find((service) => service.name === 'trace');
    let exampleOrderId: string | undefined;
    const summary = async (): Promise<SummaryInput> => ({
      elapsedS: (Date.now() - started) / 1000,
      stats: stats.snapshot(),
      services: await Promise.all(
        services.map(async (service) => ({
          name: service.name,
          url: `http://localhost:${service.port}`,
          lag: await serviceLag(url(service.port)),
        })),
      ),
      ordersUrl: `http://localhost:${options.port}`,
      traceUrl: trace === undefined ? undefined : `http://localhost:${trace.port}`,
      exampleOrderId,
      problems,
    });
    const stopping = stopRequested(options);
    load.start();
    let refreshing = true;
    const refreshLoop = (async () => {
      let lastRestock = Date.now();
      while (refreshing) {
        await sleep(1000);
        exampleOrderId ??= stats.anyConfirmedId();
        const input = await summary();
        if (refreshing) output.refresh(renderSummary(input), renderSummaryLine(input));
        if (Date.now() - lastRestock >= restockEveryMs) {
          lastRestock = Date.now();
          await restock();
        }
      }
    })();

    const reason = await stopping;
    output.print([
      `Stopping (${reason}): load first, then the services${kafka.outcome === 'started' ? ', then Kafka' : ''}.`,
    ]);
    await load.stop(drainMs);
    refreshing = false;
    await refreshLoop;
    output.print(['Final summary:', ...renderSummary(await summary()).slice(0, -1)]);
  } finally {
    const stopProblems = await stopServices(running, stopTimeoutMs);
    for (const problem of stopProblems) log(`warning: ${problem}`);
    await producer.close().catch(() => {});
    await admin.close().catch(() => {});
    if (kafka.outcome === 'started') await stopKafka({ log });
  }
  log('Demo stopped.');
}

try {
  await runDemo(parseDemoArgs(process.argv.slice(2), process.env));
  process.exit(0);
} catch (error) {
  if (!isKStreamsError(error)) throw error;
  console.error(`demo: ${error.message}`);
  process.exit(error.code === 'CONFIG_INVALID' ? 2 : 1);
}

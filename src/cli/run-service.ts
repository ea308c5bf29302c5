import { reasonOf } from '../errors.ts';
import { type HttpServer, serveInteractiveQueries } from '../http/index.ts';
import { createKafkaClient } from '../kafka/index.ts';
import type { Producer } from '../kafka/types.ts';
import { KafkaStreams } from '../runtime/kafka-streams.ts';
import type { Logger } from '../runtime/logger.ts';
import type { RunConfig } from './run-config.ts';
import type { ServiceDefinition } from './service.ts';

export interface RunningService {
  readonly app: KafkaStreams;
  /** Where the HTTP server listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Resolves when the app has stopped on its own (ERROR, or closed from elsewhere). */
  readonly stopped: Promise<void>;
  /**
   * Stops serving, closes the app (commit, close stores, leave the group) and the producer, within the
   * configured bound. Resolves false when something did not close cleanly or the app ended in ERROR.
   */
  stop(): Promise<boolean>;
}

/** Awaits `work`, giving up (false) after `ms`. */
async function within(ms: number, work: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a service: creates its topics when missing, makes the app and the shared producer, serves HTTP
 * (interactive queries plus the service's routes) and starts processing.
 */
export async function startService(
  service: ServiceDefinition,
  config: RunConfig,
  logger: Logger,
): Promise<RunningService> {
  const streams = { ...config.streams, logger };
  const brokers =
    typeof streams.bootstrapServers === 'string'
      ? streams.bootstrapServers.split(',').map((broker) => broker.trim())
      : [...(streams.bootstrapServers ?? [])];
  const client = createKafkaClient({ brokers, clientId: streams.applicationId }, streams.clientAdapter);

  const topics = service.topics ?? [];
  if (topics.length > 0) {
    const admin = client.admin();
    try {
      // Existing topics are left as they are: the runner never changes partition counts or configs.
      await admin.createTopics(
        topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions,
          ...(topic.configs === undefined ? {} : { configs: topic.configs }),
        })),
        { ignoreExisting: true },
      );
    } finally {
      await admin.close();
    }
    logger.info('Topics ready.', { topics: topics.map((topic) => topic.name).join(',') });
  }

  const app = new KafkaStreams(service.topology(), streams, { client });
  let failed = false;
  let stopped!: () => void;
  const stoppedPromise = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  app.onUncaughtError((error, context) =>
    logger.error('Uncaught error in the poll loop.', { error: reasonOf(error), ...context }),
  );
  app.onStateChange((state, previous) => {
    logger.info('Application state changed.', { state, previous });
    if (state === 'ERROR') failed = true;
    if (state === 'ERROR' || state === 'NOT_RUNNING') stopped();
  });

  const producer: Producer = client.producer({ idempotent: true });
  const routes = service.http?.routes;
  let server: HttpServer;
  try {
    server = await serveInteractiveQueries(app, {
      ...config.http,
      port: undefined,
      ...(service.http?.waitConditions === undefined ? {} : { waitConditions: service.http.waitConditions }),
      ...(service.http?.keyFormats === undefined ? {} : { keyFormats: service.http.keyFormats }),
      ...(routes === undefined ? {} : { routes: (fastify) => routes(fastify, { app, producer }) }),
    });
    await app.start();
  } catch (error) {
    await app.close({ timeoutMs: config.shutdownTimeoutMs }).catch(() => undefined);
    await producer.close().catch(() => undefined);
    throw error;
  }
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`;
  logger.info('Service started.', {
    applicationId: streams.applicationId,
    url,
    applicationServer: streams.applicationServer,
  });

  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> => {
    stopping ??= (async () => {
      const started = Date.now();
      const left = () => Math.max(0, config.shutdownTimeoutMs - (Date.now() - started));
      const httpClosed = await within(
        left(),
        server.close().then(
          () => true,
          (error: unknown) => {
            logger.warn('Closing the HTTP server failed.', { error: reasonOf(error) });
            return false;
          },
        ),
      );
      // The app keeps a little of the bound for the producer after it.
      const appClosed = await app.close({ timeoutMs: Math.max(1, left() - 1_000) });
      const producerClosed = await within(
        Math.max(1, left()),
        producer.close().then(
          () => true,
          (error: unknown) => {
            logger.warn('Closing the producer failed.', { error: reasonOf(error) });
            return false;
          },
        ),
      );
      const clean = httpClosed && appClosed && producerClosed && !failed;
      logger.info('Service stopped.', {
        clean,
        httpClosed,
        appClosed,
        producerClosed,
        finalState: app.state,
        durationMs: Date.now() - started,
      });
      return clean;
    })();
    return stopping;
  };
  return { app, url, stopped: stoppedPromise, stop };
}

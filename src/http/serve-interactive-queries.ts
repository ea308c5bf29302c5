import { KStreamsError } from '../errors.ts';
import { AppStoreQueries, type AppStoreQueriesOptions } from '../query/app-store-queries.ts';
import { parseHostInfo } from '../runtime/application-server.ts';
import type { KafkaStreams } from '../runtime/kafka-streams.ts';
import { createHttpServer, type HttpServer } from './create-http-server.ts';
import type { HttpServerOptions } from './http-server-options.ts';

export type ServeOptions = HttpServerOptions & AppStoreQueriesOptions;

/**
 * Serves an app's interactive queries, /metrics, /health and /topology over HTTP, on the port of its
 * `applicationServer` (what the app advertises to the group, so other instances forward to it), and
 * stops serving when the app stops. Call before `app.start()` so /health answers during start-up.
 */
export async function serveInteractiveQueries(app: KafkaStreams, options: ServeOptions = {}): Promise<HttpServer> {
  const advertised = app.config.applicationServer;
  const endpoint = advertised === undefined ? undefined : parseHostInfo(advertised);
  if (endpoint === undefined) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `Application "${app.config.applicationId}" has no applicationServer, so other instances cannot forward queries to it.`,
      { hint: "Set applicationServer: 'host:port' in its config, with the port the HTTP server listens on." },
    );
  }
  if (options.port !== undefined && options.port !== endpoint.port) {
    throw new KStreamsError(
      'CONFIG_INVALID',
      `The HTTP port ${options.port} differs from the advertised applicationServer ${advertised}.`,
      { hint: 'Leave port out (it defaults to the applicationServer port) or make them equal.' },
    );
  }
  const queries = new AppStoreQueries(app, options);
  const server = createHttpServer(queries, app.config.applicationId, { ...options, port: endpoint.port });
  await server.listen();
  const subscription = app.state$.subscribe((state) => {
    if (state === 'NOT_RUNNING' || state === 'ERROR') {
      subscription.unsubscribe();
      void server.close();
    }
  });
  return server;
}

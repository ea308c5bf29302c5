export { createHttpServer, type HttpServer } from './create-http-server.ts';
export { hopHeader } from './forward-to-owner.ts';
export type { HttpServerOptions, RouteServer } from './http-server-options.ts';
export { type ServeOptions, serveInteractiveQueries } from './serve-interactive-queries.ts';

/** A `host:port` endpoint, as `application.server` names an instance's HTTP server. */
export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

/**
 * Reads `host:port` (an IPv6 host in brackets: `[::1]:8080`); undefined when it is not one, so the
 * configuration check and the metadata agree on what is valid.
 */
export function parseHostInfo(endpoint: string): HostInfo | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/,]+):(\d{1,5})$/.exec(endpoint);
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

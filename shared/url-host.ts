import { isIP } from 'node:net';

/**
 * The host of URL as a name or a bare IP literal: URL keeps an IPv6 literal in brackets
 * ("[::1]"), which neither a socket, a certificate's IP check nor a loopback test accepts.
 */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Where a TLS connection to an https:// or wss:// URL goes: its bare host, its port (443 when
 * the URL names none), and the SNI name, which is sent for a host name only: RFC 6066 forbids
 * an IP literal there, and Node warns when given one.
 */
export function tlsTarget(url: URL): { readonly host: string; readonly port: number; readonly servername?: string } {
  const host = hostOf(url);
  const port = Number(url.port || 443);
  return isIP(host) === 0 ? { host, port, servername: host } : { host, port };
}

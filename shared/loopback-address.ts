import { isIPv4, isIPv6 } from 'node:net';

/**
 * Is this address a loopback address? Only literal addresses count: a name such as "localhost"
 * is whatever the resolver says on the day, so plaintext (which sends a token in clear) is never
 * allowed by name. Both ends use it: the controller for what it listens on, an agent for the
 * controller it dials.
 */
export function isLoopbackAddress(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

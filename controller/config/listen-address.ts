/**
 * Every interface, IPv6 and IPv4 alike: a socket bound to "::" takes IPv4 connections too (as
 * ::ffff:a.b.c.d) unless the kernel is set to IPv6-only sockets. A controller bound to "0.0.0.0"
 * is refused to a client that resolves its name to an IPv6 address first (localhost to ::1, a name
 * with an AAAA record), and Node 18 clients do not try the IPv4 address after that refusal.
 */
export const ANY_ADDRESS = '::';
export const ANY_IPV4_ADDRESS = '0.0.0.0';

/**
 * Where to listen after binding HOST failed with CODE: "::" on a kernel without IPv6 (booted with
 * ipv6.disable=1: EAFNOSUPPORT; no IPv6 address configured at all: EADDRNOTAVAIL) falls back to
 * every IPv4 interface, as Node's own listen() does when given no host. Any other address was
 * asked for by name: its failure is the operator's to see, so null.
 */
export function listenFallback(host: string, code: string | undefined): string | null {
  return host === ANY_ADDRESS && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') ? ANY_IPV4_ADDRESS : null;
}

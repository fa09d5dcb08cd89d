import { hostlessPeerName } from '../../shared/drbd-words.js';
import type { DrbdResourceView } from '../../shared/inventory.js';

/** the partner by the domU's config, and the hosts each resource's `.res` names (AutostartInput's expectedPeer) */
export interface ExpectedPeer {
  readonly host: string;
  readonly resHosts: ReadonlyMap<string, readonly string[]>;
}

/** the defer partnerMissing answers with: autostart.ts's decision shape, kept here to import nothing upward */
export interface PartnerMissingDefer {
  readonly kind: 'defer';
  readonly reason: 'peer-missing';
  readonly detail: string;
}

/**
 * The defer for a partner the kernel lists no connection to, or null. Only where the `.res` names
 * the partner (else `drbdadm adjust` adds nothing). DRBD 9 names a connection after its peer's
 * host; 8.4's one connection is `peer` (nameless in a StandAlone events2 dump) and always reaches
 * the other host, so it is not judged here. `on a b { }` names one by both hosts joined with `_`.
 * The kernel's names decide which host a connection reaches, never the .res file: it may not be
 * what the kernel runs (edited without `drbdadm adjust`), and a host taken out of it leaves its
 * connection, under that host's name, looking like one named by a `connection NAME { host a; host
 * b; }` section (drbd-utils before 9.22 gave the kernel connection that NAME; 9.22 ignores it:
 * its drbdadm_parser.c parse_connection). So no connection of another name stands for the partner:
 * a partner no connection is named after is deferred, whatever the other connections are named.
 */
export function partnerMissing(name: string, r: DrbdResourceView, expected: ExpectedPeer | null | undefined): PartnerMissingDefer | null {
  const hosts = expected ? expected.resHosts.get(name) : undefined;
  if (!expected || hosts === undefined || !hosts.includes(expected.host)) return null;
  if (r.peers.some((p) => hostlessPeerName(p.name))) return null;
  const reaches = (p: { readonly name: string }): boolean => p.name === expected.host || (p.name.split('_').includes(expected.host) && p.name.split('_').every((h) => hosts.includes(h)));
  if (r.peers.some(reaches)) return null;
  const unnamed = r.peers.map((p) => p.name).filter((n) => !hosts.includes(n) && !n.split('_').every((h) => hosts.includes(h)));
  const listed = r.peers.map((p) => p.name).join(', ');
  const sections =
    unnamed.length === 0
      ? ''
      : ` (${unnamed.join(', ')} ${unnamed.length === 1 ? 'is' : 'are'} named after no host of the .res file: a \`connection\` section's name, or a host taken out of the file since the last adjust, and the kernel's names alone tell which host a connection reaches)`;
  const detail =
    `DRBD resource ${name} has no connection to ${expected.host}, the domU's partner, though its .res file names it (the kernel lists only ${listed}${sections}): ` +
    `whether ${expected.host} holds it Primary cannot be seen from here; \`drbdadm adjust ${name}\` adds the connection as configured (the peer was deleted with \`drbdsetup del-peer\`, or added to the .res file without an adjust)`;
  return { kind: 'defer', reason: 'peer-missing', detail };
}

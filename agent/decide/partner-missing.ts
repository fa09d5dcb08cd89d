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
 * the other host, so it is not judged here. drbd-utils before 9.22 gave a connection declared as
 * `connection NAME { host a; host b; }` that NAME in the kernel instead (9.22 ignores it: its
 * drbdadm_parser.c parse_connection), and `on a b { }` names one by both hosts joined with `_`,
 * so which host such a connection reaches cannot be told from its name: each stands for one of
 * the hosts no connection is named after. Fewer of them than such hosts leaves a host without a
 * connection, and it may be the partner: deferred, as is a partner with none at all.
 */
export function partnerMissing(name: string, r: DrbdResourceView, expected: ExpectedPeer | null | undefined, localHost: string): PartnerMissingDefer | null {
  const hosts = expected ? expected.resHosts.get(name) : undefined;
  if (!expected || hosts === undefined || !hosts.includes(expected.host)) return null;
  if (r.peers.some((p) => hostlessPeerName(p.name))) return null;
  const joined = (p: { readonly name: string }): string[] => (hosts.includes(p.name) ? [p.name] : p.name.split('_').every((h) => hosts.includes(h)) ? p.name.split('_') : []);
  const reached = new Set(r.peers.flatMap(joined));
  if (reached.has(expected.host)) return null;
  const unnamed = r.peers.filter((p) => joined(p).length === 0).map((p) => p.name);
  const without = hosts.filter((h) => h !== localHost && !reached.has(h));
  if (unnamed.length >= without.length) return null;
  const listed = r.peers.map((p) => p.name).join(', ');
  const sections =
    unnamed.length === 0
      ? ''
      : ` (${unnamed.join(', ')} ${unnamed.length === 1 ? 'is' : 'are'} named by a \`connection\` section, not by the host reached: fewer than the hosts ${without.join(', ')} left to reach)`;
  const detail =
    `DRBD resource ${name} has no connection to ${expected.host}, the domU's partner, though its .res file names it (the kernel lists only ${listed}${sections}): ` +
    `whether ${expected.host} holds it Primary cannot be seen from here; \`drbdadm adjust ${name}\` adds the connection as configured (the peer was deleted with \`drbdsetup del-peer\`, or added to the .res file without an adjust)`;
  return { kind: 'defer', reason: 'peer-missing', detail };
}

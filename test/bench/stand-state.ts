// What a stand-in agent reports of its Dom0: DOMUS domUs named fleet-wide unique (vm<host index>-<i>),
// as one of a DRBD pair (the first host with the second, the third with the fourth, …) guarding its
// own domUs and its partner's, with a config of each naming the pair's two hosts and each one's DRBD
// resource as the pair reports it (Primary where the domU runs, connected to the other). Shared by the steady stand-ins (fake-fleet.ts) and those of the
// reconnect storm (storm-stand.ts), so both load the controller with the same reports.
import type { HostState, LinkDomain, LinkDomuConfig, LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { domainRowsBetween } from '../../shared/protocol/domain-rows.js';

export const TOTAL_MIB = 262_144;

/** Since when Xen has run the stand-ins' domUs, as an agent says it (libxl's start_time, link feature domain-started): a moment of the day before, one a domU. */
const standStartedAt = (h: number, i: number): string => new Date(Date.UTC(2026, 0, 1) + (h * 97 + i) * 1000).toISOString();

export const standDomain = (h: number, i: number, memMiB: number): LinkDomain => ({ name: `vm${h}-${i}`, baseName: `vm${h}-${i}`, domid: i + 1, state: 'blocked', memMiB, vcpus: 1, migration: null, startedAt: standStartedAt(h, i) });

export const standDomains = (index: number, perHost: number): LinkDomain[] => Array.from({ length: perHost }, (_, i) => standDomain(index, i, 1024));

export const standMemory = (domains: readonly LinkDomain[]): HostState['memory'] => ({ totalMiB: TOTAL_MIB, freeMiB: TOTAL_MIB - domains.reduce((a, d) => a + d.memMiB, 0) });

/** The home claims of the host at INDEX of HOSTS: its own domUs and its partner's (a standby of each), the partner as peer. */
export function standHomes(index: number, hosts: readonly string[], perHost: number): HostState['homes'] {
  const partner = index ^ 1;
  const peer = hosts[partner] ?? null;
  const claims = (h: number) => Array.from({ length: perHost }, (_, i) => ({ name: `vm${h}-${i}`, peer, source: 'guarded' as const }));
  return peer === null ? claims(index) : [...claims(index), ...claims(partner)];
}

const standNames = (h: number, perHost: number): string[] => Array.from({ length: perHost }, (_, i) => `vm${h}-${i}`);

/** The partner of the host at INDEX of HOSTS, and the pair's hosts in order: those its DRBD resources name. */
function standPair(index: number, hosts: readonly string[]): { partner: number | null; pair: string[] } {
  const partner = hosts[index ^ 1] === undefined ? null : index ^ 1;
  return { partner, pair: hosts.filter((_, k) => k === index || k === partner) };
}

/** The configs the host at INDEX holds, as readDomuConfigs sends them: its own domUs' and its partner's, each on the pair's one resource. */
export function standConfigs(index: number, hosts: readonly string[], perHost: number): LinkDomuConfig[] {
  const { partner, pair } = standPair(index, hosts);
  const names = [...standNames(index, perHost), ...(partner === null ? [] : standNames(partner, perHost))];
  return names.map((name): LinkDomuConfig => ({ name, source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: `r-${name}`, hosts: [...pair] }] })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The DRBD resources the host at INDEX reports: Primary for its own running domUs, Secondary for its partner's, connected and up to date. */
export function standResources(index: number, hosts: readonly string[], perHost: number): LinkDrbdResource[] {
  const { partner } = standPair(index, hosts);
  const peerName = partner === null ? null : (hosts[partner] ?? null);
  const resource = (name: string, primaryHere: boolean): LinkDrbdResource => ({
    name: `r-${name}`,
    role: primaryHere ? 'Primary' : 'Secondary',
    disk: 'UpToDate',
    peers: peerName === null ? [] : [{ name: peerName, role: primaryHere ? 'Secondary' : 'Primary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }],
  });
  return [...standNames(index, perHost).map((n) => resource(n, true)), ...(partner === null ? [] : standNames(partner, perHost).map((n) => resource(n, false)))];
}

/** The whole report of a stand-in with DOMAINS, as its snapshot carries it. */
export function standState(index: number, hosts: readonly string[], domains: LinkDomain[], perHost: number): HostState {
  return {
    toolstack: 'xl',
    memory: standMemory(domains),
    maintenance: { state: 'online', operationId: null, owner: null },
    domains,
    guarded: [],
    drbd: { availability: 'ok', resources: standResources(index, hosts, perHost) },
    ledger: { seq: 0, away: {}, visitors: {} },
    homes: standHomes(index, hosts, perHost),
    domus: standConfigs(index, hosts, perHost),
  };
}

/**
 * One change, as an agent sends it: the domU at FLIP of DOMAINS (changed in place) had its memory
 * moved, so its row and the host's free memory changed; `domains` as the rows that changed from
 * SENT (what the controller holds) when given, as to a controller taking feature domain-rows,
 * else whole. EXTRA rows are added after DOMAINS. Returns the message and the rows it reports.
 */
export function standDelta(seq: number, at: number, domains: LinkDomain[], flip: number, sent: readonly LinkDomain[] | null, extra: readonly LinkDomain[] = []): { message: Record<string, unknown>; domains: LinkDomain[] } {
  const i = flip % domains.length;
  const d = domains[i];
  if (d !== undefined) domains[i] = { ...d, memMiB: d.memMiB === 1024 ? 1025 : 1024 };
  const now = [...domains, ...extra];
  const rows = sent === null ? null : domainRowsBetween(sent, now);
  const memory = standMemory(now);
  return { message: { type: 'delta', seq, at, ...(rows === null ? { state: { domains: now, memory } } : { state: { memory }, rows }) }, domains: now };
}

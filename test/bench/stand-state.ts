// What a stand-in agent reports of its Dom0: DOMUS domUs named fleet-wide unique (vm<host index>-<i>),
// as one of a DRBD pair (the first host with the second, the third with the fourth, …) guarding its
// own domUs and its partner's. Shared by the steady stand-ins (fake-fleet.ts) and those of the
// reconnect storm (storm-stand.ts), so both load the controller with the same reports.
import type { HostState, LinkDomain } from '../../shared/protocol/agent-link-state.js';

export const TOTAL_MIB = 262_144;

export const standDomain = (h: number, i: number, memMiB: number): LinkDomain => ({ name: `vm${h}-${i}`, baseName: `vm${h}-${i}`, domid: i + 1, state: 'blocked', memMiB, vcpus: 1, migration: null });

export const standDomains = (index: number, perHost: number): LinkDomain[] => Array.from({ length: perHost }, (_, i) => standDomain(index, i, 1024));

export const standMemory = (domains: readonly LinkDomain[]): HostState['memory'] => ({ totalMiB: TOTAL_MIB, freeMiB: TOTAL_MIB - domains.reduce((a, d) => a + d.memMiB, 0) });

/** The home claims of the host at INDEX of HOSTS: its own domUs and its partner's (a standby of each), the partner as peer. */
export function standHomes(index: number, hosts: readonly string[], perHost: number): HostState['homes'] {
  const partner = index ^ 1;
  const peer = hosts[partner] ?? null;
  const claims = (h: number) => Array.from({ length: perHost }, (_, i) => ({ name: `vm${h}-${i}`, peer, source: 'guarded' as const }));
  return peer === null ? claims(index) : [...claims(index), ...claims(partner)];
}

/** The whole report of a stand-in with DOMAINS, as its snapshot carries it. */
export function standState(index: number, hosts: readonly string[], domains: LinkDomain[], perHost: number): HostState {
  return {
    toolstack: 'xl',
    memory: standMemory(domains),
    maintenance: { state: 'online', operationId: null, owner: null },
    domains,
    guarded: [],
    drbd: { availability: 'ok', resources: [] },
    ledger: { seq: 0, away: {}, visitors: {} },
    homes: standHomes(index, hosts, perHost),
    domus: [],
  };
}

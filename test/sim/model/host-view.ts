import type { DomainState, HostState, SimState } from './types.js';

/** What one Dom0's toolstack can see: the host and its domains (Domain-0 first, then by domid). */
export interface HostView {
  readonly host: HostState;
  readonly now: number;
  readonly domains: readonly DomainState[];
  readonly usedMiB: number;
  readonly freeMiB: number;
}

export function hostView(s: SimState, host: string): HostView | null {
  const h = s.hosts[host];
  if (!h || h.power !== 'on') return null;
  const domains = s.domains.filter((d) => d.host === host).sort((a, b) => a.domid - b.domid);
  const usedMiB = domains.reduce((n, d) => n + d.memMiB, 0);
  return { host: h, now: s.now, domains, usedMiB, freeMiB: h.totalMiB - h.dom0MiB - h.overheadMiB - usedMiB };
}

export function freeMiB(s: SimState, host: string): number {
  const h = s.hosts[host];
  if (!h) return 0;
  return h.totalMiB - h.dom0MiB - h.overheadMiB - s.domains.filter((d) => d.host === host).reduce((n, d) => n + d.memMiB, 0);
}

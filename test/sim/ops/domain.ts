import { freeMiB } from '../model/host-view.js';
import type { DomainState, GuestConfig, RunState, SimState } from '../model/types.js';
import { settleNics } from '../model/nics.js';
import { uuidFor } from '../model/uuid.js';
import { dataKey, startTimeKey, startTimeText, vmPath, vmPathKey } from '../model/vm-path.js';
import { demoteUnused, promoteAll } from './drbd.js';
import { fail, ok, type OpResult } from './result.js';

/** Domain lifecycle on one host: create (block-drbd promotes), shutdown/destroy (demotes), pause, rename. */
export interface CreateSpec {
  readonly name: string;
  readonly memMiB: number;
  readonly vcpus: number;
  readonly drbd: readonly string[];
  readonly configPath: string | null;
  readonly guest: GuestConfig;
  readonly run?: RunState;
  /** a migration's receiving half: libxl writes its start_time only when the stream is done (xenStartTime) */
  readonly incoming?: boolean;
}

export function findDomain(s: SimState, host: string, nameOrId: string): DomainState | undefined {
  const here = s.domains.filter((d) => d.host === host);
  if (/^\d+$/.test(nameOrId)) return here.find((d) => d.domid === Number(nameOrId));
  return here.find((d) => d.name === nameOrId);
}

function xsSet(s: SimState, host: string, f: (xs: Record<string, string>) => void): SimState {
  const xs = { ...(s.xenstore[host] ?? {}) };
  f(xs);
  return { ...s, xenstore: { ...s.xenstore, [host]: xs } };
}

export function createDomain(s: SimState, host: string, spec: CreateSpec): OpResult {
  const h = s.hosts[host];
  if (!h) return fail({ kind: 'no-host', host });
  if (h.power !== 'on') return fail({ kind: 'host-off', host });
  if (s.domains.some((d) => d.host === host && d.name === spec.name)) return fail({ kind: 'name-taken', name: spec.name });
  const free = freeMiB(s, host);
  if (free < spec.memMiB) return fail({ kind: 'no-memory', host, needMiB: spec.memMiB, freeMiB: free });
  for (const r of spec.drbd) {
    const res = s.drbd[r];
    if (!res) return fail({ kind: 'drbd-missing', res: r });
    if (!res.replicas[host]) return fail({ kind: 'not-replica', res: r, host });
  }
  const promoted = promoteAll(s, host, spec.drbd);
  if (!promoted.ok) return promoted;
  const domid = h.nextDomid;
  const d: DomainState = {
    name: spec.name, domid, host, memMiB: spec.memMiB, vcpus: spec.vcpus, run: spec.run ?? 'blocked', cpuTimeS: 0,
    uuid: uuidFor(spec.name.replace(/--(incoming|migratedaway)$/, '')), drbd: spec.drbd, configPath: spec.configPath, guest: settleNics(spec.guest, spec.name),
  };
  let next: SimState = { ...promoted.state, domains: [...promoted.state.domains, d], hosts: { ...promoted.state.hosts, [host]: { ...h, nextDomid: domid + 1 } } };
  next = xsSet(next, host, (xs) => { xs[`/local/domain/${domid}/name`] = spec.name; });
  // libxl makes the domain's `data` node, writable by its guest, at creation (libxl__domain_make); xend is not modelled so
  if (h.toolstack === 'xl') next = xsSet(next, host, (xs) => { xs[vmPathKey(domid)] = vmPath(d.uuid); xs[dataKey(domid)] = ''; });
  return ok(spec.incoming === true ? next : xenStartTime(next, host, d.uuid));
}

/** libxl's start_time for the domain of UUID on HOST, written now (model/vm-path.ts). */
export function xenStartTime(s: SimState, host: string, uuid: string): SimState {
  if (s.hosts[host]?.toolstack !== 'xl') return s;
  return xsSet(s, host, (xs) => { xs[startTimeKey(uuid)] = startTimeText(s.now); });
}

/** Removes a domain (destroy, completed shutdown, migrated away) and lets block-drbd demote. */
export function removeDomain(s: SimState, host: string, domid: number): SimState {
  const d = s.domains.find((x) => x.host === host && x.domid === domid);
  if (!d) return s;
  let next: SimState = { ...s, domains: s.domains.filter((x) => x !== d) };
  // libxl's destroy removes the domain's /vm path with its area
  const vmGone = !next.domains.some((x) => x.host === host && x.uuid === d.uuid);
  next = xsSet(next, host, (xs) => { for (const k of Object.keys(xs)) if (k.startsWith(`/local/domain/${domid}/`) || (vmGone && k.startsWith(`${vmPath(d.uuid)}/`))) delete xs[k]; });
  return demoteUnused(next, host, d.drbd);
}

export function updateDomain(s: SimState, host: string, domid: number, patch: Partial<Pick<DomainState, 'name' | 'run' | 'cpuTimeS'>>): SimState {
  let next: SimState = { ...s, domains: s.domains.map((d) => (d.host === host && d.domid === domid ? { ...d, ...patch } : d)) };
  if (patch.name !== undefined) next = xsSet(next, host, (xs) => { xs[`/local/domain/${domid}/name`] = patch.name!; });
  return next;
}

import { FLEET_INCOMING_MAX, FLEET_SILENT_MAX, LINK_FEATURE, type FleetMessage } from '../../shared/protocol/agent-link.js';
import type { LinkGuarded, LinkHome } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { holdsNothingOf } from './foreign-claims.js';
import { inStartupGrace, isPlaceholder, type Enrolment } from './enrolment.js';
import { isReachable, type Freshness } from './host-record.js';

/** The interest of a report, by its homes section: a report replaces its sections whole, so one answer per pair it sent. */
const interestByHomes = new WeakMap<readonly LinkHome[], { readonly guarded: readonly LinkGuarded[]; readonly names: readonly string[] }>();

/**
 * The names an agent wants the controller's view of: the domUs it guards and those it is home
 * of (the ones it might start or pull back). Worked out once per guarded list and homes the agent
 * sent: every agent's view is made at every heartbeat, and these sections rarely change.
 */
export function interestOf(index: FleetIndex, host: string): readonly string[] {
  const s = index.record(host)?.state;
  if (!s) return [];
  const held = interestByHomes.get(s.homes);
  if (held !== undefined && held.guarded === s.guarded) return held.names;
  const names = [...new Set([...s.guarded.map((g) => g.name), ...s.homes.map((h) => h.name)])].sort();
  interestByHomes.set(s.homes, { guarded: s.guarded, names });
  return names;
}

/**
 * domU → hosts reporting a row of it (any state, migration rows included), for NAMES, less the
 * hosts holding nothing of it (foreign-claims.ts): the agent skips a guarded domU the controller
 * sees elsewhere, so such a host's word would keep the real home from starting it.
 */
export function runningOnFor(index: FleetIndex, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of names) {
    const byHost = index.running.get(n);
    // the usual domU, one host running it: one array, not three
    if (byHost?.size === 1) {
      const h = byHost.keys().next().value;
      out[n] = h !== undefined && holdsNothingOf(index, n, h) === null ? [h] : [];
    } else out[n] = [...(byHost?.keys() ?? [])].filter((h) => holdsNothingOf(index, n, h) === null).sort();
  }
  return out;
}

/**
 * The hosts this controller no longer hears from, among HOSTS, with how long it has not. Their
 * rows stay in the view (a silent host may still run the domU); this only lets the agent tell an
 * operator that a report is old, and let `--force` past it. An enrolled host not heard from at all
 * since the controller started (a placeholder) counts once the start-up grace is over, silent
 * for at least as long as the controller has run: after a controller restart, a Dom0 that died
 * holding a domU is otherwise never called silent, and the domU's home could never start it again.
 * A host no longer enrolled (revoked) counts too (notInFleetSilentMs): revoking a dead Dom0 must not
 * make its last word read as current.
 */
export function silentAmong(index: FleetIndex, hosts: Iterable<string>, fresh: Freshness, enrolment?: Enrolment): Record<string, number> {
  const out: Record<string, number> = {};
  // the agent refuses a message naming more (and closes the link): a host left out reads as
  // heard from, which only keeps --force from passing its report, the safe side
  for (const h of [...new Set(hosts)].sort()) {
    if (Object.keys(out).length >= FLEET_SILENT_MAX) break;
    const r = index.record(h);
    if (r === undefined) {
      const ms = enrolment === undefined ? undefined : notInFleetSilentMs(enrolment, h, fresh);
      if (ms !== undefined) out[h] = ms;
      continue;
    }
    if (isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    if (r.lastSeen !== null) out[h] = Math.max(0, fresh.now - r.lastSeen);
    // never heard on this controller, and not enrolled (or still in the grace): no age to tell, so not called silent (the safe side)
    else if (enrolment !== undefined && isPlaceholder(r) && enrolment.unreported.has(h) && !inStartupGrace(enrolment, fresh)) out[h] = Math.max(0, fresh.now - enrolment.startedAt);
  }
  return out;
}

/**
 * How long a host with no record, that ENROLMENT does not list, has been silent: one this
 * controller forgot (revoked, its link down) since it last heard from it; one it never knew (revoked
 * before a restart) since it started, once the start-up grace is over. Neither can connect without
 * an agent token, so a ledger's away record naming it is the word of a Dom0 gone from the fleet.
 * Undefined (not called silent, the safe side) for an enrolled host.
 */
function notInFleetSilentMs(enrolment: Enrolment, host: string, fresh: Freshness): number | undefined {
  if (enrolment.hosts.has(host)) return undefined;
  const lastSeen = enrolment.forgotten.get(host);
  if (lastSeen !== undefined) return Math.max(0, fresh.now - (lastSeen ?? enrolment.startedAt));
  return inStartupGrace(enrolment, fresh) ? undefined : Math.max(0, fresh.now - enrolment.startedAt);
}

/** The hosts HOST's ledger says its domUs went to: the ones its autostart asks about, with or without rows of them. */
function awayTargets(index: FleetIndex, host: string): string[] {
  return Object.values(index.record(host)?.state?.ledger.away ?? {}).map((a) => a.currentHost);
}

/** The domUs this controller is live-migrating to HOST now (fresh.moves naming it their target), sorted, at most FLEET_INCOMING_MAX. */
export const incomingTo = (host: string, fresh: Freshness): string[] =>
  [...new Set((fresh.moves ?? []).filter((m) => m.to === host && m.from !== host).map((m) => m.name))].sort().slice(0, FLEET_INCOMING_MAX);

/** The `fleet` message for HOST's agent; `silent` and `incoming` only to an agent that announced it takes each. */
export function fleetFor(index: FleetIndex, host: string, fresh: Freshness, enrolment?: Enrolment): FleetMessage {
  const runningOn = runningOnFor(index, interestOf(index, host));
  return { type: 'fleet', at: fresh.now, runningOn, ...fleetAfterRunningOn(index, host, fresh, hostsNamed(runningOn), enrolment) };
}

/** What HOST's `fleet` message carries after RUNNINGON, in the order it is sent: read at each send, for it ages with the clock. */
export function fleetAfterRunningOn(index: FleetIndex, host: string, fresh: Freshness, runningHosts: readonly string[], enrolment?: Enrolment): Pick<FleetMessage, 'silent' | 'incoming'> {
  const caps = index.record(host)?.capabilities ?? [];
  const incoming = caps.includes(LINK_FEATURE.incomingMoves) ? { incoming: incomingTo(host, fresh) } : {};
  if (!caps.includes(LINK_FEATURE.fleetSilent)) return incoming;
  const silent = silentAmong(index, [...runningHosts, ...awayTargets(index, host)], fresh, enrolment);
  return { ...(Object.keys(silent).length > 0 ? { silent } : {}), ...incoming };
}

/** The hosts RUNNINGON names, each once: all the silent hosts of a `fleet` view are looked for among (silentAmong). */
export const hostsNamed = (runningOn: Readonly<Record<string, readonly string[]>>): string[] => [...new Set(Object.values(runningOn).flat())];

import { FLEET_SILENT_MAX, LINK_FEATURE, type FleetMessage } from '../../shared/protocol/agent-link.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';

/**
 * The names an agent wants the controller's view of: the domUs it guards and those it is home
 * of (the ones it might start or pull back).
 */
export function interestOf(index: FleetIndex, host: string): string[] {
  const s = index.record(host)?.state;
  if (!s) return [];
  return [...new Set([...s.guarded.map((g) => g.name), ...s.homes.map((h) => h.name)])].sort();
}

/** domU → hosts reporting a row of it (any state, migration rows included), for NAMES. */
export function runningOnFor(index: FleetIndex, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of names) out[n] = [...(index.running.get(n)?.keys() ?? [])].sort();
  return out;
}

/**
 * The hosts of RUNNING_ON this controller no longer hears from, with how long it has not. Their
 * rows stay in the view (a silent host may still run the domU); this only lets the agent tell an
 * operator that a report is old, and let `--force` past it.
 */
export function silentAmong(index: FleetIndex, runningOn: Readonly<Record<string, readonly string[]>>, fresh: Freshness): Record<string, number> {
  const out: Record<string, number> = {};
  // the agent refuses a message naming more (and closes the link): a host left out reads as
  // heard from, which only keeps --force from passing its report, the safe side
  for (const h of [...new Set(Object.values(runningOn).flat())].sort()) {
    if (Object.keys(out).length >= FLEET_SILENT_MAX) break;
    const r = index.record(h);
    // never heard on this controller: no age to tell, so it is not called silent (the safe side)
    if (r === undefined || r.lastSeen === null || isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    out[h] = Math.max(0, fresh.now - r.lastSeen);
  }
  return out;
}

/** The `fleet` message for HOST's agent; `silent` only to an agent that announced it takes it. */
export function fleetFor(index: FleetIndex, host: string, fresh: Freshness): FleetMessage {
  const runningOn = runningOnFor(index, interestOf(index, host));
  if (!(index.record(host)?.capabilities ?? []).includes(LINK_FEATURE.fleetSilent)) return { type: 'fleet', at: fresh.now, runningOn };
  const silent = silentAmong(index, runningOn, fresh);
  return { type: 'fleet', at: fresh.now, runningOn, ...(Object.keys(silent).length > 0 ? { silent } : {}) };
}

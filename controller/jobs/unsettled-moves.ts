import type { Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { settleHint, unsettledMessage, unsettledRun } from '../fleet/unsettled.js';
import type { FactDomu } from '../plan/facts.js';
import type { FleetPort } from './port.js';

/**
 * The domUs this job moved that a Dom0's ledger keeps as unsettled (a migration of it ended in an
 * ALARM, e.g. the source's agent, restarted after a crash, found its own inflight record): the
 * move counted, but a person must settle it (`xenherd-agent reconcile NAME` there) before the
 * controller plans for it again. Read from the fleet view at the job's end; each an alarm leftover.
 * NAMED: the names the job's account already gives (a move that ended as an ALARM), not twice.
 */
export function unsettledMoves(port: FleetPort, moved: readonly Move[], named: ReadonlySet<string> = new Set()): Leftover[] {
  if (moved.length === 0) return [];
  const f = port.facts();
  const out: Leftover[] = [];
  for (const name of [...new Set(moved.map((m) => m.name))].sort()) {
    const d = f.domu(name);
    if (!d || d.unsettled.length === 0 || named.has(name)) continue;
    const message = unsettledMessage(name, d.unsettled);
    const runs = d.hosts.length === 1 ? d.host : null;
    const text = runs === null ? `ALARM ${name}: ${message}` : heldText(d, runs, d.unsettled.map((u) => `${unsettledRun(u)} ended with its outcome unknown`).join('; and '));
    out.push({ name, host: d.host, blocker: { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message }, message: text });
  }
  return out;
}

/**
 * The end of a job that brings domUs home (restore, a roll's restore) with the moves it made that a
 * ledger keeps as an ALARM (ALARMS, in unsettledMoves' words) in place of the plan's leftover of the
 * same domU, which would call it not home; LEFTOVERS, the others; LEFT, both.
 */
export function withUnsettled(port: FleetPort, end: { readonly moved: readonly Move[]; readonly leftovers: readonly Leftover[] }): { alarms: Leftover[]; leftovers: Leftover[]; left: Leftover[] } {
  const alarms = unsettledMoves(port, end.moved);
  const held = new Set(alarms.map((a) => a.name));
  const leftovers = end.leftovers.filter((l) => !held.has(l.name));
  return { alarms, leftovers, left: [...leftovers, ...alarms] };
}

/**
 * A move of this job that ended as an ALARM while the domU no longer runs on the Dom0s it empties
 * (HOSTS): a DRBD link lost during the handover leaves it running at the target, its disks possibly
 * apart, and the source's ledger keeps the ALARM until a person settles it; a Dom0 lost mid-copy
 * leaves it running nowhere. "Remains on the source" would be false: the leftover names where it
 * runs (its host; null: nowhere) and what holds it. Null: it runs on one of HOSTS, on several Dom0s,
 * a migration's half of it stands, or the fleet view does not know it.
 */
export function heldElsewhere(port: FleetPort, hosts: readonly string[], l: Leftover): Leftover | null {
  if (l.blocker.kind !== 'alarm') return null;
  const d = port.facts().domu(l.name);
  if (d === undefined || d.midMigration) return null;
  if (d.hosts.length === 0) return { ...l, host: null, message: heldText(d, null, l.blocker.message) };
  if (d.host === null || d.hosts.length !== 1 || hosts.includes(d.host)) return null;
  return { ...l, host: d.host, message: heldText(d, d.host, l.blocker.message) };
}

/** "NAME runs on AT (or nowhere), held by an ALARM xen1's ledger keeps (WORDS); check both hosts …, then run xenherd-agent reconcile NAME on xen1" */
function heldText(d: FactDomu, at: string | null, words: string): string {
  const keepers = [...new Set(d.unsettled.map((u) => u.host))];
  const keeps = keepers.length === 0 ? '' : ` ${keepers.join(' and ')}'s ledger keeps`;
  const settle = d.unsettled.length === 0 ? `check both hosts by hand (xenherd-agent status ${d.name} on each) before anything moves it again` : settleHint(d.name, d.unsettled);
  return `${d.name} runs ${at === null ? 'nowhere' : `on ${at}`}, held by an ALARM${keeps} (${words}); ${settle}`;
}

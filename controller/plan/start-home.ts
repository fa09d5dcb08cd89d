import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { Blocker, HostBlock } from '../../shared/protocol/ctl-jobs.js';
import { alarmBlock, unheardBlock } from './eligibility.js';
import type { FactDomu, FactHost, PlanFacts } from './facts.js';

/**
 * Whether a restore may start at HOME a domU whose home it is, that a ledger records as away and
 * that runs nowhere: its away host lost power while it was there, or a cold move shut it down and
 * the start on the target never came. Nobody else will start it (the home's autostart skips it as
 * "migrated away"), so the restore does — only when the fleet view proves "nowhere":
 *
 * - no ledger keeps a migration of it whose ending nobody knows (an `unsettled` record: an ALARM
 *   until a person reconciles it), and no host shows a row of it (no --incoming / --migratedaway
 *   half: an ambiguous ending with both halves kept is an ALARM for a person, never guessed at);
 * - the host it went to, and every host holding its disks or a config of it, reports now: link up,
 *   heard from within staleAfter, and its agent's view of its domains current (a host that cannot
 *   read `xl list` reports no domains, which is not "none run here"); otherwise the job waits for
 *   it like for any source that may come back;
 * - no other host's autostart may start it: a host holding a visitor record of it (or it in its
 *   guarded dir) must be draining or in maintenance, where guarded autostart starts nothing; an
 *   online host's autostart owns its visitor, and the home does not race it;
 * - the home's agent runs `start` (cold-migrate): the start itself is decided there on fresh reads
 *   under the guarded-autostart DRBD rules (a peer Primary or an unconnected peer refuses), and it
 *   ends the home's away record. An away host's visitor record left behind is stale once the domU
 *   runs at home, and its agent ends it (agent/core/visitor-gone-home.ts).
 *
 * Pure; planRestore turns a `start` into a move with why 'start-home'.
 */
export type StartHomeVerdict = { readonly start: true; readonly from: string } | { readonly start: false; readonly host: string | null; readonly blocker: Blocker };

const NOWHERE: Blocker = { kind: 'runs-nowhere' };
const no = (blocker: Blocker, host: string | null = null): StartHomeVerdict => ({ start: false, host, blocker });

/** Why HOST's report cannot prove what it does not run; null when it can. */
export function notCurrent(h: FactHost | undefined): HostBlock | null {
  const heard = unheardBlock(h);
  if (heard !== null || h === undefined) return heard;
  return h.current ? null : 'behind';
}

export function startHomeVerdict(facts: PlanFacts, home: string, d: FactDomu): StartHomeVerdict {
  // a migration of it whose ending nobody knows: "nowhere" is not proven, whatever the view shows
  const alarm = alarmBlock(d);
  if (alarm !== null) return no(alarm);
  if (d.hosts.length > 0) return no(NOWHERE);
  // with no row anywhere, only the restore's own move of it makes it mid-migration (facts.ts's
  // overlay): its start here, or its migration home, in flight and not in the reports yet, its
  // memory already counted on the home. Planned again, that memory would count twice and send the
  // home's visitors away for nothing.
  if (d.midMigration) return no({ kind: 'mid-migration' });
  const visitorHosts = facts.visitorHosts(d.name);
  const fromVisitors = visitorHosts.filter((h) => facts.visitorFrom(h, d.name) === home);
  const from = facts.awayTo(home, d.name) ?? (fromVisitors.length === 1 ? (fromVisitors[0] as string) : null);
  if (from === null || from === home) return no(NOWHERE);
  const h = facts.host(home);
  if (!h?.capabilities.includes(CAPABILITY.coldMigrate) || !d.configOn.includes(home)) return no(NOWHERE);
  const replicas = Array.isArray(d.replicas) ? d.replicas : [];
  for (const x of [...new Set([from, ...replicas, ...d.configOn, ...visitorHosts])].sort()) {
    const why = notCurrent(facts.host(x));
    if (why !== null) return no({ kind: 'source-unavailable', host: x, why }, x === from ? from : null);
  }
  // the away host thinks it is its home: two homes, a person's to settle
  if (facts.awayTo(from, d.name) !== null) return no(NOWHERE);
  // another host whose autostart may start it (a visitor record, its guarded dir) owns it while that host is not cordoned
  for (const x of new Set([...visitorHosts, ...d.guardedOn.filter((g) => g !== home)])) {
    const m = facts.host(x)?.maintenance.state;
    if (m !== 'draining' && m !== 'maintenance') return no(NOWHERE);
  }
  return { start: true, from };
}

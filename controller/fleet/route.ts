import type { XhError } from '../../shared/errors.js';
import type { CommandRequest } from '../../shared/protocol/ctl-api.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { FleetIndex } from './fleet-index.js';
import { holdsNothingOf } from './foreign-claims.js';
import { isReachable, type Freshness } from './host-record.js';
import { midMigrationRefusal, type HostRow } from './mid-migration-refusal.js';
import { isPairClaim } from './pair-claim.js';
import { isLive } from './live-row.js';
import { homeOf } from './placement.js';
import { DiskTrouble, splitDisksOf, type DrbdAlertRef } from './split-disks.js';
import { supersededOn } from './superseded.js';
import { splitDiskNotes } from '../../shared/text/split-disk-words.js';
import { DEAD_DOM0_SECTION } from '../../shared/drbd-readiness.js';
import { unsettledMessage, unsettledOf } from './unsettled.js';
import { nameOrder } from '../../shared/name-order.js';

/** What a refusal over two copies of a domU says to do: where the alerts are, and the runbook for the disks both wrote. */
export const SETTLE_TWO_COPIES = 'settle that first (xenherdctl status, and "DRBD split brain" in the README)';

/**
 * Which Dom0's agent runs an operator's command: `migrate` goes to the host running NAME (it
 * migrates out), `reverse` to NAME's home (it pulls NAME back over ssh, as `xenherd-agent reverse`
 * does). Refused here when the fleet view already shows it cannot work, a migration half of NAME
 * stands (mid-migration-refusal.ts), or a ledger keeps a migration of NAME whose ending nobody
 * knows, or its DRBD disks are split (DRBDALERTS: the open alerts about DRBD resources, as `where`
 * reads them); everything else is the agent's to decide, on its own fresh reads.
 */
export function routeCommand(index: FleetIndex, req: CommandRequest, fresh: Freshness, drbdAlerts: readonly DrbdAlertRef[] = []): Result<{ host: string }, XhError> {
  // a migration of it whose ending nobody knows: moving it again would build on a guess (as plans refuse it: plan/eligibility.ts)
  const unsettled = unsettledOf(index, req.name);
  if (unsettled.length > 0) return err({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${unsettledMessage(req.name, unsettled)} (nothing was sent)` });
  // a half of a migration of it stands: a migrate or a reverse now would cross the one under way (or hide a stranded half)
  const rows = rowsOf(index, req.name);
  if (rows.some((x) => x.d.migration !== null)) return err({ code: 'XH_ERR_REFUSED', message: midMigrationRefusal(index, req.name, rows, fresh) });
  const split = (): string | null => splitText(index, req.name, fresh, drbdAlerts);
  const host = req.op === 'migrate' ? migrateSource(index, req.name, req.target, rows, split) : reverseHome(index, req.name, fresh, split);
  if (!host.ok) return host;
  const r = index.record(host.value);
  if (!r || !isReachable(r, fresh.now, fresh.staleAfterMs)) {
    // the Dom0 a migrate would leave ran NAME when last heard: dead, it took NAME down with it, and "retry" is not the way out
    const dead = req.op === 'migrate' ? `; if ${host.value} itself is down, what it ran is down with it: README, section "${DEAD_DOM0_SECTION}"` : '';
    return err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `the agent of ${host.value} is not connected to the controller (or silent): nothing was sent; retry once \`xenherdctl hosts\` shows it reachable${dead}` });
  }
  return ok({ host: host.value });
}

/**
 * The hosts other than HOME running a plain copy of NAME, as running-on-two-hosts counts them: a
 * silent host's report overtaken by an arrival, or a row from a host holding nothing of it, is none.
 */
function otherCopies(index: FleetIndex, name: string, home: string, fresh: Freshness): string[] {
  const hosts: string[] = [];
  for (const [h, rows] of index.running.get(name) ?? []) {
    if (h === home || !rows.some((d) => d.migration === null && isLive(d))) continue;
    if (!supersededOn(index, name, h, fresh) && holdsNothingOf(index, name, h) === null) hosts.push(h);
  }
  return hosts.sort(nameOrder);
}

/** Every row of NAME the hosts report, migration halves included. */
const rowsOf = (index: FleetIndex, name: string): HostRow[] => [...(index.running.get(name) ?? [])].flatMap(([host, ds]) => ds.map((d) => ({ host, d })));

/**
 * NAME's split DRBD disks in `where`'s words ("DRBD r1 split (StandAlone on xen1 and xen2): see
 * ..."), null when none is: a move carries the domU onto a side whose writes the runbook may
 * throw away, and "already home" would read as done while the victim has not resynced.
 */
function splitText(index: FleetIndex, name: string, fresh: Freshness, drbdAlerts: readonly DrbdAlertRef[]): string | null {
  const { home, claims } = homeOf(index, name);
  const holders = new Set([...(index.running.get(name)?.keys() ?? []), ...claims]);
  const notes = splitDiskNotes(splitDisksOf(new DiskTrouble(index, fresh, drbdAlerts), name, [...holders], home));
  return notes.length === 0 ? null : notes.join('; ');
}

function migrateSource(index: FleetIndex, name: string, target: string | null, allRows: readonly HostRow[], split: () => string | null): Result<string, XhError> {
  // a row on a host holding nothing of NAME is no copy to move (foreign-claims.ts): the real one is, if any
  const foreign = new Set([...new Set(allRows.map((x) => x.host))].filter((h) => holdsNothingOf(index, name, h) !== null));
  const rows = allRows.filter((x) => !foreign.has(x.host));
  if (rows.length === 0 && foreign.size > 0) {
    const them = [...foreign].sort(nameOrder);
    return err({ code: 'XH_ERR_NOT_FOUND', message: `no host holding ${name} reports it running (${them.join(' and ')} ${them.length === 1 ? 'does' : 'do'}, but ${them.length === 1 ? 'holds' : 'hold'} nothing of it: xenherdctl status)` });
  }
  if (rows.length === 0) return err({ code: 'XH_ERR_NOT_FOUND', message: `no host reports ${name} running${swappedHint(index, name, target)}` });
  const hosts = [...new Set(rows.map((x) => x.host))];
  if (hosts.length > 1) return err({ code: 'XH_ERR_REFUSED', message: `${name} runs on ${hosts.sort(nameOrder).join(' and ')}: ${SETTLE_TWO_COPIES}` });
  const source = hosts[0] as string;
  const disks = split();
  if (disks !== null) return err({ code: 'XH_ERR_REFUSED', message: `${name} runs on ${source}, but ${disks}; no move until the split is resolved, nothing was sent` });
  if (target === source) return err({ code: 'XH_ERR_REFUSED', message: `${name} already runs on ${target}` });
  return ok(source);
}

/**
 * `migrate xen2 web01` for `migrate web01 xen2`: NAME is a Dom0 of the fleet, so the words came
 * in the other order. '' when NAME is no Dom0's name.
 */
function swappedHint(index: FleetIndex, name: string, target: string | null): string {
  if (index.record(name) === undefined) return '';
  const order = target !== null && index.isKnown(target) ? `: did you mean \`xenherdctl migrate ${target} ${name}\`?` : ' (usage: xenherdctl migrate NAME [HOST])';
  return `; ${name} is a Dom0, and the domU comes first${order}`;
}

function reverseHome(index: FleetIndex, name: string, fresh: Freshness, split: () => string | null): Result<string, XhError> {
  const { home, claims } = homeOf(index, name);
  if (home === null && claims.length > 1) {
    const byHost = index.homes.get(name);
    return err({
      code: 'XH_ERR_REFUSED',
      message: byHost && isPairClaim(byHost)
        ? `${claims.join(' and ')} both guard ${name} and no ledger says it left either: no home to bring it back to`
        : `${claims.join(' and ')} each claim to be ${name}'s home: fix that first (xenherdctl status)`,
    });
  }
  if (home === null) return err({ code: 'XH_ERR_NOT_FOUND', message: `no Dom0 claims ${name} as its home and no ledger records it` });
  const atHome = index.running.get(name)?.get(home)?.some((d) => d.migration === null);
  if (atHome) {
    // "already home" alone reads as done, and would hide the second copy writing to the same disks
    const also = otherCopies(index, name, home, fresh);
    if (also.length > 0) return err({ code: 'XH_ERR_REFUSED', message: `${name} runs on its home ${home} and also on ${also.join(' and ')}: nothing to reverse, but two copies run: ${SETTLE_TWO_COPIES}` });
    // nor while the victim of a split brain has not resynced: the home's copy may be the one whose writes are thrown away
    const disks = split();
    if (disks !== null) return err({ code: 'XH_ERR_REFUSED', message: `${name} runs on its home ${home}, but ${disks}; nothing to reverse until the split is resolved, nothing was sent` });
    return err({ code: 'XH_ERR_REFUSED', message: `${name} already runs on its home ${home}: nothing to reverse` });
  }
  // the home's agent would refuse too (reverse follows its ledger); here the fleet shows where it runs, and what brings it home
  const rows = index.running.get(name);
  const elsewhere = [...(rows?.keys() ?? [])].filter((h) => h !== home);
  if (elsewhere.length === 1 && index.away.get(name)?.get(home) === undefined && index.record(home)?.state) {
    return err({
      code: 'XH_ERR_REFUSED',
      message: `the ledger of ${home} has no record of ${name} having left (it runs on ${elsewhere[0]}, started or moved there without xenherd): nothing to reverse, nothing was sent; \`xenherdctl migrate ${name} ${home}\` or \`xenherdctl restore ${home}\` brings it home`,
    });
  }
  const disks = split();
  if (disks !== null) return err({ code: 'XH_ERR_REFUSED', message: `${name}'s home is ${home}, but ${disks}; no move until the split is resolved, nothing was sent` });
  return ok(home);
}

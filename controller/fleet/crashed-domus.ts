import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { reachableWithState, type CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { holdsNothingOf } from './foreign-claims.js';
import type { Freshness } from './host-record.js';
import { isLive } from './live-row.js';

/**
 * domUs a reachable Dom0 lists as crashed (xl's and xm's `c` flag: on_crash="preserve" keeps the
 * crashed domain, for a post-mortem, until someone destroys it). Everything else
 * rightly counts such a row as present (it holds the name and its disks, so autostart starts no
 * second copy beside it), but its guest runs no code: its users are down, and nothing here ends
 * that by itself, so CRITICAL. A migration half is the migration checks' to judge, and a row from
 * a Dom0 that holds nothing of the domU is a foreign claim's (foreign-claims.ts).
 */
export function crashedDomus(index: FleetIndex, fresh: Freshness): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of reachableWithState(index, fresh)) {
    for (const d of r.state.domains) {
      if (d.state !== 'crashed' || d.migration !== null || d.domid === null || holdsNothingOf(index, d.baseName, r.host) !== null) continue;
      out.push({
        status: 'CRITICAL',
        kind: 'domu-crashed',
        subject: d.baseName,
        short: `${d.baseName} crashed on ${r.host}`,
        text:
          `${d.baseName}: crashed on ${r.host} (xl list: state c), its domain kept by its config's on_crash="preserve": its guest runs no code and nothing restarts it; ` +
          `on ${r.host}, \`xl dump-core ${d.name} FILE\` if its memory is wanted, then \`xl destroy ${d.name}\` and start it again (where its agent guards it: \`xenherd-agent autostart start --force ${d.baseName} --reason crashed\`)`,
      });
    }
  }
  return out;
}

/**
 * Whether BYHOST (a domU's rows by host) shows a copy of it that runs: a live row that is not a
 * crashed plain one, or a migration half (the migration checks judge those). COUNTS: the hosts
 * whose rows are taken, every one when absent. A crashed guest runs no code: counted apart as
 * crashed, never among the running, so the counts say what check's CRITICAL line says.
 */
export function runsSomewhere(byHost: ReadonlyMap<string, readonly LinkDomain[]>, counts: (host: string) => boolean = () => true): boolean {
  for (const [host, rows] of byHost) {
    if (!counts(host)) continue;
    for (const d of rows) if (isLive(d) && (d.migration !== null || d.state !== 'crashed')) return true;
  }
  return false;
}

/** Whether the hosts COUNTS takes list the domU only as crashed guests: one at least, and no copy of it that runs. */
export function crashedOnly(byHost: ReadonlyMap<string, readonly LinkDomain[]>, counts: (host: string) => boolean): boolean {
  let seen = false;
  for (const [host, rows] of byHost) if (counts(host)) for (const d of rows) seen ||= d.migration === null && d.state === 'crashed' && isLive(d);
  return seen && !runsSomewhere(byHost, counts);
}

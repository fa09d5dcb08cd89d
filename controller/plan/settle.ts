import type { LinkDomain, LinkLedger } from '../../shared/protocol/agent-link-state.js';
import type { InspectReport } from '../../shared/protocol/agent-link.js';
import type { Arrival } from '../fleet/host-record.js';
import { isLive } from '../fleet/live-row.js';

export type SettleVerdict = 'at-target' | 'at-source' | 'in-flight' | 'both' | 'neither';

const plain = (r: InspectReport): boolean => r.rows.some((d) => d.migration === null && d.domid !== null && d.state !== 'dying' && d.state !== 'stopped');
const describe = (r: InspectReport): string => {
  const rows = r.rows.map((d) => `${d.name} ${d.state}`).join(', ') || 'no row';
  const roles = r.resources.map((x) => `${x.name} ${x.role ?? 'down'}`).join(', ');
  return `${r.host}: ${rows}${roles ? `; ${roles}` : ''}${r.busy ? '; busy' : ''}`;
};

/**
 * Where a migration with an ambiguous ending left the domU, from fresh reads of both hosts: never
 * a guess. Anything still moving (a migration row, or either agent still holding the domU) is
 * in flight: ask again later. Running on both or on neither is an alarm: nothing is retried.
 */
export function settleMigration(source: InspectReport, target: InspectReport): { readonly verdict: SettleVerdict; readonly message: string } {
  const message = `${describe(source)} | ${describe(target)}`;
  if (source.busy || target.busy || [...source.rows, ...target.rows].some((d) => d.migration !== null)) return { verdict: 'in-flight', message };
  const s = plain(source);
  const t = plain(target);
  const verdict: SettleVerdict = s && t ? 'both' : t ? 'at-target' : s ? 'at-source' : 'neither';
  return { verdict, message };
}

/** A move's source as the controller last heard it, for when it does not answer. */
export interface SourceHeard {
  readonly host: string;
  /** its link is open and it was heard from within staleAfter */
  readonly reachable: boolean;
  /** when the controller last heard from it (its own clock); null: never */
  readonly lastSeen: number | null;
}

/**
 * Whether the target's rows of a domU (ROWS: its rows of that name only) prove the migration
 * ended there although the source stays silent: the target runs it as a plain live row under
 * the domid the controller saw arrive by migration (ARRIVAL: its receiving half turned into that
 * row), after the source was last heard from, and holds no half of it any more. libxl renames
 * `NAME--incoming` to NAME only once the sender's copy is gone, so the silent source cannot run it
 * unless something happened after it fell silent; this is the proof `where` accepts for setting
 * aside a silent host's last report (fleet/superseded.ts). A plain row with no arrival seen (a
 * start by hand, a migration the controller never saw) proves nothing.
 */
export function arrivedWhileSilent(source: SourceHeard, rows: readonly LinkDomain[], arrival: Arrival | undefined): boolean {
  if (source.reachable || source.lastSeen === null || arrival === undefined || arrival.at <= source.lastSeen) return false;
  if (rows.some((d) => d.migration !== null)) return false;
  return rows.some((d) => isLive(d) && d.domid === arrival.domid);
}

/**
 * Whether the target's ledger, as it reports it (LEDGER), shows that the source's agent finished its
 * own side of the move: its last step, once its own ledger has recorded the move, tells the target
 * (`status NAME` over ssh), which then records NAME as a visitor or, back at NAME's home, ends its
 * away record (which a home also ends itself once NAME has run there a while). An agent that died
 * mid-migration (its `xl migrate` carries on) told nothing and recorded nothing: when it is back its
 * ledger reads the migration as interrupted, an ALARM, so it is waited for as before.
 */
export function sourceTold(ledger: LinkLedger | undefined, name: string, targetIsHome: boolean): boolean {
  if (ledger === undefined) return false;
  return targetIsHome ? ledger.away[name] === undefined : ledger.visitors[name] !== undefined;
}

/**
 * Where a migration with an ambiguous ending left the domU when only the target answers (TARGET:
 * its fresh read): at the target when arrivedWhileSilent holds, nothing of the target's agent still
 * holds the domU, and the source's agent told the target it is done (TOLD: sourceTold); otherwise
 * null, and the source is waited for as before. The message says the source was not heard: its own
 * ledger has recorded the move, and its next report shows it.
 */
export function settleWithoutSource(source: SourceHeard, target: InspectReport, arrival: Arrival | undefined, told: boolean): { readonly verdict: 'at-target'; readonly message: string } | null {
  if (!told || target.busy || !arrivedWhileSilent(source, target.rows, arrival)) return null;
  return { verdict: 'at-target', message: `${describe(target)} | ${source.host}: not heard from since before ${target.name} arrived on ${target.host}` };
}

import type { AlertAsRead, DomainRow, HostView, StatusVerdict } from '../../shared/protocol/ctl-api.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import { formatAge, formatSince, table } from './format.js';
import { printable } from '../../shared/text/printable.js';
import { ownerShort } from '../../shared/owner-names.js';
import { agentStoppedText, reportsElsewhereText } from '../../shared/text/utc-time.js';
import { STALE_AFTER_MS } from './where-line.js';

/** "xl 4.17.5"; "xl" alone when its agent does not say its release (older than that) */
const xenText = (h: HostView): string => (h.toolstack === null ? '-' : h.xen ? `${h.toolstack} ${h.xen.version}` : h.toolstack);
const mem = (m: HostView['memory']): string => (m.totalMiB === null ? '-' : `${m.freeMiB ?? '?'}/${m.totalMiB} MiB`);
const VIEW_TEXT: Readonly<Record<string, string>> = { current: 'reachable', behind: 'behind (xl list slow)', unknown: 'xl list unreadable' };
/** a view a newer controller names that this build does not know is said by its word, not as another */
const viewText = (view: string): string => (Object.hasOwn(VIEW_TEXT, view) ? (VIEW_TEXT[view] as string) : `view: ${view}`);
const linkState = (h: HostView): string => `${linkWord(h)}${diskWord(h)}`;
/** a reachable host's records at risk, in its STATE: the lines under the table say what and the fix */
const diskWord = (h: HostView): string => {
  const worst = h.reachable ? h.diskTrouble?.[0]?.status : undefined;
  return worst === 'CRITICAL' ? ', cannot write records' : worst === 'WARNING' ? ', low on disk' : '';
};
const linkWord = (h: HostView): string =>
  h.reachable ? (h.ageMs !== null && h.ageMs > STALE_AFTER_MS ? 'stale' : viewText(h.view)) : h.linkUp ? 'silent' : h.tokenRefused !== undefined ? 'token refused' : h.agentStoppedAt !== undefined ? 'stopped (restarting?)' : h.reportsElsewhereSince !== undefined ? 'other controller' : 'unreachable';

/**
 * "online", "draining (ctl1:7443, op 3f2a9c01)": the state, who holds it and for which operation. A
 * controller's owner name as its host and port (shared/owner-names.ts `ownerShort`): its
 * "xenherd-controller@" alone widened every row of a fleet's `hosts` past an 80- or 120-column
 * terminal, and its instance id read as an internal code, not a controller.
 */
export const maintenanceText = (m: HostView['maintenance']): string => {
  const who = [m.owner === null ? null : ownerShort(m.owner), m.operationId ? `op ${m.operationId.slice(0, 8)}` : null].filter(Boolean).join(', ');
  return who ? `${m.state} (${who})` : m.state;
};

/**
 * "1 (+1 migration half)": a migration's halves are a domU's move (`where` and `status` count them
 * so), not domUs of their own; a Dom0 receiving web1 read "1" beside the one sending it, as if two ran.
 */
function domainsCount(h: HostView): string {
  const halves = h.halves ?? 0;
  return halves === 0 ? String(h.domains) : `${h.domains - halves} (+${halves} migration ${halves === 1 ? 'half' : 'halves'})`;
}

export function hostsTable(hosts: readonly HostView[], notYet: ReadonlySet<string> = new Set()): string {
  return table([
    ['HOST', 'STATE', 'LAST SEEN', 'MAINTENANCE', 'XEN', 'FREE/TOTAL', 'DOMAINS', 'HOMES', 'BOOT', 'AGENT'],
    ...hosts.map((h) => [
      h.host,
      notYet.has(h.host) ? 'not reported yet' : linkState(h),
      h.lastSeen === null ? 'never' : `${formatAge(h.ageMs)} ago`,
      // before its first report the controller does not know it (the state lives on the agent): not "online"
      h.reported ? maintenanceText(h.maintenance) : 'unknown',
      xenText(h),
      mem(h.memory),
      h.reported ? domainsCount(h) : '-',
      String(h.homes),
      (h.bootId ?? '-').slice(0, 8),
      h.agentVersion ?? '-',
    ].map(printable)),
  ]);
}

/**
 * A row's AS OF: how long ago its host was heard from, STALE when the controller does not vouch
 * for it; a row kept from the host's last `xl list` says since when its agent cannot read it (as
 * `where` says of such a host: "for 3 min"), NOW being the answer's time.
 */
function asOf(d: DomainRow, now: number): string {
  const age = formatAge(d.ageMs);
  if (d.viewUnknownSince !== undefined) return `${age}, STALE (its agent cannot read xl list since ${formatSince(d.viewUnknownSince, now)}, for ${formatAge(Math.max(0, now - d.viewUnknownSince))}: the last row it read)`;
  return `${age}${!d.reachable || (d.ageMs ?? 0) > STALE_AFTER_MS ? ', STALE' : ''}`;
}

/**
 * A row's NAME: a migration's half as the domU's move, "web1 (migration to xen2)" on the sending
 * Dom0 and "web1 (migration from xen1)" on the receiving one (from the other half among ROWS), not
 * "web1--incoming" as if it were a domU of its own. Not "migrating": a half an ALARM left frozen
 * is no move under way (`where` says which).
 */
function rowName(d: DomainRow, rows: readonly DomainRow[]): string {
  if (d.migration === null) return d.name;
  const others = rows.filter((o) => o.baseName === d.baseName && o.host !== d.host);
  // libxl renames the sender only once it is suspended, and xend's receiver is a plain NAME: a plain row is the other end then
  const plain = others.filter((o) => o.migration === null);
  const other = others.find((o) => o.migration !== null && o.migration !== d.migration) ?? (plain.length === 1 ? plain[0] : undefined);
  if (other !== undefined) return `${d.baseName} (migration ${d.migration === 'incoming' ? 'from' : 'to'} ${other.host})`;
  return `${d.baseName} (a migration's ${d.migration === 'incoming' ? 'receiving' : 'sending'} half)`;
}

export function domainsTable(rows: readonly DomainRow[], now: number): string {
  return table([
    ['HOST', 'NAME', 'STATE', 'MIGRATION', 'MEM', 'VCPUS', 'HOME', 'AS OF'],
    ...rows.map((d) => [d.host, rowName(d, rows), d.state, d.migration ?? '-', `${d.memMiB} MiB`, String(d.vcpus), d.home ?? '-', asOf(d, now)].map(printable)),
  ]);
}

/**
 * status's line under the alerts and unreachable Dom0s when check would not say OK: alerts are
 * only the conflicts between Dom0s, and a fleet without one can still be WARNING or CRITICAL (a
 * guarded domU down while its Dom0 is in maintenance, a domU long away from home). '' when OK, or
 * when the controller is older than the verdict.
 */
export function verdictLine(v: StatusVerdict | undefined): string {
  if (v === undefined || v.status === 'OK') return '';
  return `CHECK ${v.status} - ${printable(v.summary)} (xenherdctl check lists each problem)\n`;
}

const VERDICT_WORDS: readonly (readonly [StatusVerdict['status'], string, string])[] = [
  ['CRITICAL', 'critical', 'critical'],
  ['WARNING', 'warning', 'warnings'],
  ['UNKNOWN', 'unknown', 'unknown'],
];

/** "1 critical, 2 warnings": the problems the CHECK line below stands for, by status; '' when OK. */
function verdictCounts(v: StatusVerdict | undefined): string {
  if (v === undefined || v.status === 'OK') return '';
  const counts = VERDICT_WORDS.map(([status, one, many]) => {
    const n = v.details.filter((d) => d.status === status).length;
    return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
  }).filter((x) => x !== '');
  // a verdict with no detail (a controller that sends none) still said its status
  return counts.length > 0 ? counts.join(', ') : `check ${v.status}`;
}

/**
 * The opening line or block; with no alert, whether a Dom0 cannot be heard, as "no alerts" alone
 * reads as all well, and what the CHECK line below counts: alerts are only the conflicts between
 * Dom0s, and "no alerts" over "CHECK WARNING - b7 away from xen4" read as a contradiction.
 */
export function alertsBlock(alerts: readonly AlertAsRead[], now: number, unreachable = 0, elsewhere = 0, verdict?: StatusVerdict, notYet = ''): string {
  if (alerts.length === 0) {
    const but = [notYet === '' ? '' : `${notYet} not reported yet`, unreachable === 0 ? '' : `${unreachable} Dom0${unreachable === 1 ? '' : 's'} unreachable`, elsewhere === 0 ? '' : `${elsewhere} reporting to another controller`].filter((x) => x !== '');
    const checked = verdictCounts(verdict);
    const opening = `no alerts${but.length === 0 ? '' : `, but ${but.join(' and ')}`}${checked === '' ? '' : `; ${checked}`}`;
    return but.length === 0 && checked === '' ? 'no alerts\n' : `${opening} (below)\n`;
  }
  return `ALERTS (${alerts.length})\n${alerts.map((a) => `  ${printable(a.kind)}  ${printable(a.subject)}  since ${formatSince(a.since, now)}: ${printable(a.message)}`).join('\n')}\n`;
}

/**
 * The Dom0s the controller cannot hear, right after the alerts: what runs there is not known, which
 * no alert says (`check` calls it CRITICAL), so each names the domUs it last reported: those an
 * operator may have to start elsewhere if it is down. '' when none.
 */
export function unreachableBlock(hosts: readonly HostView[], notYet: ReadonlySet<string> = new Set()): string {
  const silent = hosts.filter((h) => !h.reachable && h.reportsElsewhereSince === undefined && !notYet.has(h.host));
  if (silent.length === 0) return '';
  const line = (h: HostView): string => {
    // a controller knows nothing from before its own start: after a restart its Dom0s are all unheard
    // until their agents dial again, which "never heard from" told as a Dom0 that never worked
    const seen = h.lastSeen === null ? 'not heard from since the controller started' : `last seen ${formatAge(h.ageMs)} ago`;
    const how = h.linkUp ? 'silent' : h.agentStoppedAt !== undefined ? agentStoppedText(h.agentStoppedAt) : 'agent link down';
    return `  ${printable(h.host)}  ${how}, ${seen}${h.reported ? lastReported(h) : ''}${refusedText(h)}${mayBeDownLine(h)}`;
  };
  return `UNREACHABLE (${silent.length}): what runs there is not known\n${silent.map(line).join('\n')}\n`;
}

/**
 * The Dom0s whose agents went back to the primary controller, after the unreachable ones: not lost
 * (`check` WARNs, never CRITICAL) and nothing they ran is kept here, so they are not in that block,
 * whose hosts an operator may have to visit. '' when none.
 */
export function elsewhereBlock(hosts: readonly HostView[]): string {
  const gone = hosts.filter((h) => !h.reachable && h.reportsElsewhereSince !== undefined);
  if (gone.length === 0) return '';
  const line = (h: HostView): string => `  ${printable(h.host)}  ${reportsElsewhereText(h.reportsElsewhereSince ?? 0)}`;
  return `REPORTS ELSEWHERE (${gone.length}): ask the primary controller what runs there\n${gone.map(line).join('\n')}\n`;
}

/**
 * What the controller knows of a host whose agent's links it refuses for their token: the agent
 * runs and dials, so the Dom0 is likely up, and the fix is a token, not a visit.
 */
function refusedText(h: HostView): string {
  const r = h.tokenRefused;
  if (r === undefined) return '';
  const host = printable(h.host);
  return `\n    its agent connects but its token is refused (${printable(r.reason)}) since ${utcMinuteText(r.since)}: enroll it again: xenherd-controller enroll ${host}, and put the token it prints in its agent.json`;
}

/**
 * ", 2 domain(s) as last reported: web1 (blocked), db1 (running)", naming as many as the controller
 * sent. A migration's half is the domU's move, as `hosts` and `domains` say it: "1 domain(s) (+1
 * migration half) …: web1 (migration to xen2, paused)", not web1--migratedaway as a domU of its own.
 */
function lastReported(h: HostView): string {
  const named = h.lastDomains ?? [];
  const names = named.map((d) => `${lastName(d)}${printable(d.state)})`).join(', ');
  const more = h.domains > named.length && named.length > 0 ? `, and ${h.domains - named.length} more` : '';
  const halves = h.halves ?? 0;
  const count = halves === 0 ? `${h.domains} domain(s)` : `${h.domains - halves} domain(s) (+${halves} migration ${halves === 1 ? 'half' : 'halves'})`;
  return `, ${count} as last reported${names === '' ? '' : `: ${names}${more}`}`;
}

/** "web1 (", or "web1 (migration to xen2, " for a half whose other end a report shows, "web1 (a migration's sending half, " otherwise */
function lastName(d: NonNullable<HostView['lastDomains']>[number]): string {
  if (d.half === undefined) return `${printable(d.name)} (`;
  const { domu, migration, other } = d.half;
  if (other !== null) return `${printable(domu)} (migration ${migration === 'incoming' ? 'from' : 'to'} ${printable(other)}, `;
  return `${printable(domu)} (a migration's ${migration === 'incoming' ? 'receiving' : 'sending'} half, `;
}

/** Under a Dom0's line: what its DRBD partners heard now say may be down with it (a controller restarted since it died has no last report of it); '' when nothing. */
export const mayBeDownLine = (h: HostView): string => (h.mayBeDown === undefined ? '' : `\n    ${printable(h.mayBeDown.text)}`);

/** Under a table of HOSTS, what `check` says of each reachable one's state and runtime dirs, worst first; nothing when all is well. */
export const diskTroubleLines = (hosts: readonly HostView[]): string =>
  hosts.flatMap((h) => (h.reachable ? (h.diskTrouble ?? []) : []).map((t) => `${t.status}: ${printable(t.text)}\n`)).join('');

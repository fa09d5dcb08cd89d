import type { CliIo } from '../../../shared/cli/io.js';
import { hostNameProblem } from '../../../shared/names.js';
import { DomainsAnswerSchema, HostsAnswerSchema, StatusAnswerSchema, type HostView, type HostsAnswer } from '../../../shared/protocol/ctl-api.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { andList } from '../../../shared/text/and-list.js';
import { unheardSinceStart, unreportedNote } from '../where-line.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { DOMAINS_USAGE, HOSTS_USAGE, STATUS_USAGE } from '../help/listing.js';
import { optionValue } from '../options.js';
import { agentBuildsLine } from '../agent-builds.js';
import { notReportedBlock, notReportedWithin, notReportedYet } from '../not-reported-yet.js';
import { alertsBlock, diskTroubleLines, domainsTable, elsewhereBlock, hostsTable, mayBeDownLine, unreachableBlock, verdictLine } from '../render-hosts.js';

export async function hosts(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [0, 0], HOSTS_USAGE);
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const r = await inv.value.client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) io.stdout(jsonLine(r.value));
  else io.stdout(r.value.hosts.length === 0 ? 'no Dom0 has reported to the controller yet (xenherd-controller enroll HOST)\n' : `${hostsTable(r.value.hosts, notReportedWithin(r.value))}${unheardLines(r.value)}${diskTroubleLines(r.value.hosts)}`);
  return 0;
}

/**
 * Under the table, the enrolled hosts the controller has not heard from since it started: their
 * "never" means since then (it remembers nothing older), and a dead Dom0 looks just like that.
 */
function unheardLines(a: HostsAnswer): string {
  const started = a.startedAt === undefined ? undefined : { startedAt: a.startedAt, at: a.at };
  const unheard = a.hosts.filter((h) => !h.reported && !h.linkUp && h.lastSeen === null);
  return unheard.map((h) => `${printable(h.host)}: ${unheardSinceStart(started)}${mayBeDownLine(h)}\n`).join('');
}

export async function domains(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'host', takesValue: true }], [0, 0], DOMAINS_USAGE);
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const host = optionValue(inv.value.args, 'host');
  const badHost = host === undefined ? null : hostNameProblem(host, '--host');
  if (badHost !== null) return fail({ code: 'XH_ERR_USAGE', message: badHost }, io, inv.value.json);
  if (host !== undefined) inv.value.client.needs([host]);
  const r = await inv.value.client.get(host === undefined ? '/domains' : `/domains?host=${encodeURIComponent(host)}`, DomainsAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) io.stdout(jsonLine(r.value));
  else io.stdout(r.value.domains.length === 0 ? 'no domains reported\n' : domainsTable(r.value.domains, r.value.at));
  // as where does: a whole-fleet list missing the domains of Dom0s not heard from says so
  const unreported = r.value.unreported ?? [];
  if (unreported.length > 0) io.stderr(`xenherdctl: warning: ${printable(unreportedNote(unreported))}\n`);
  return 0;
}

/** "1 host", "2 hosts": the status line is read by people, who stumble on "1 hosts" */
const counted = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** " (1 of them on two hosts, in the alerts above)": each such domU is one domU and two rows in the DOMAINS column below */
const twice = (n: number | undefined): string => (n === undefined || n === 0 ? '' : ` (${n} of them on two hosts, in the alerts above)`);

/** ", 1 crashed": guests that crashed with their domain kept run no code, so they are not among the running; nothing when none, or from an older controller */
const crashedCount = (n: number | undefined): string => (n === undefined || n === 0 ? '' : `, ${n} crashed`);

/** ", 1 guarded down": guarded domUs gone with nobody of the fleet asking (the CHECK line above names them); nothing when none, or from an older controller */
const downCount = (n: number | undefined): string => (n === undefined || n === 0 ? '' : `, ${n} guarded down`);

/**
 * " (2 more only in unreachable hosts' last reports)": a dead Dom0's domUs are not counted as
 * running. A Dom0 not heard since the controller started has no last report, so its domUs were in
 * no count at all: those its DRBD partners say may be down with it (HostView `mayBeDown`) are, as
 * " (2 more may be down with xen1)".
 */
function notKnown(n: number | undefined, hosts: readonly HostView[]): string {
  const withDown = hosts.filter((h) => (h.mayBeDown?.domus.length ?? 0) > 0);
  const down = new Set(withDown.flatMap((h) => h.mayBeDown?.domus ?? [])).size;
  const parts = [n === undefined || n === 0 ? '' : `${n} more only in unreachable hosts' last reports`, down === 0 ? '' : `${down} ${n === undefined || n === 0 ? 'more ' : ''}may be down with ${andList(withDown.map((h) => printable(h.host)))}`];
  const said = parts.filter((p) => p !== '');
  return said.length === 0 ? '' : ` (${said.join(', ')})`;
}

export async function status(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [0, 0], STATUS_USAGE);
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const r = await inv.value.client.get('/status', StatusAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) {
    io.stdout(jsonLine(r.value));
    return 0;
  }
  const s = r.value.summary;
  // a controller older than reportsElsewhere counted those hosts as unreachable: told apart here by their views
  const elsewhere = s.reportsElsewhere ?? r.value.hosts.filter((h) => !h.reachable && h.reportsElsewhereSince !== undefined).length;
  // within the start-up grace the Dom0s not heard from yet are check's "not reported yet" WARNING, not unreachable
  const waiting = notReportedYet(r.value.hosts, r.value.verdict);
  const notYet = waiting?.hosts.size ?? 0;
  const unreachable = (s.reportsElsewhere === undefined ? s.unreachable - elsewhere : s.unreachable) - notYet;
  const away = `${notYet === 0 ? '' : `, ${notYet} not reported yet`}${elsewhere === 0 ? '' : `, ${elsewhere} reporting to another controller`}`;
  const shown = r.value.hosts.length <= STATUS_ALL_HOSTS_UP_TO ? r.value.hosts : r.value.hosts.filter(needsALook);
  const hidden = r.value.hosts.length - shown.length;
  io.stdout(
    [
      alertsBlock(r.value.alerts, hooks.clock.now(), unreachable, elsewhere, r.value.verdict, waiting?.subject ?? ''),
      unreachableBlock(r.value.hosts, waiting?.hosts),
      notReportedBlock(r.value.hosts, waiting),
      elsewhereBlock(r.value.hosts),
      verdictLine(r.value.verdict),
      agentBuildsLine(r.value.hosts),
      `fleet: ${counted(s.hosts, 'host')} (${s.reachable} reachable${unreachable === 0 && notYet > 0 ? '' : `, ${unreachable} unreachable`}${away}), ${counted(s.domus, 'domU')} running${twice(s.runningTwice)}${notKnown(s.domusUnreachable, r.value.hosts)}${crashedCount(s.crashed)}${downCount(s.down)}, ${s.midMigration} migrating${unsettledCount(s.unsettled)}, ${counted(s.inMaintenance, 'host')} not online\n\n`,
      shown.length > 0 ? hostsTable(shown, waiting?.hosts) : '',
      diskTroubleLines(shown),
      hidden > 0 ? `${shown.length > 0 ? 'and ' : ''}${counted(hidden, shown.length > 0 ? 'more host' : 'host')}, reachable and online (xenherdctl hosts lists every host)\n` : '',
    ].join(''),
  );
  return 0;
}

/**
 * The domUs whose migration ended in an ALARM a ledger keeps (their halves wait for a person, so
 * they are not counted migrating; the alert above names the way out); nothing when none, or from an older controller.
 */
const unsettledCount = (n: number | undefined): string => (n === undefined || n === 0 ? '' : `, ${n} ALARM unsettled`);

/**
 * The most hosts status lists in full. Past it, only those needing a look (not reachable, not
 * online, their view behind, their records' disk full or nearly): at hundreds of Dom0s the full table buries the alerts above it.
 */
const STATUS_ALL_HOSTS_UP_TO = 50;
const needsALook = (h: HostView): boolean => !h.reachable || !h.reported || h.maintenance.state !== 'online' || h.view !== 'current' || h.diskTrouble !== undefined;

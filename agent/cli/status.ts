import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import type { XhError } from '../../shared/errors.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { reconcile, type LedgerMismatch } from '../state/ledger.js';
import { openHost } from '../migrate/context.js';
import { homedHere, homeHere } from '../decide/home-claim.js';
import { readHomesReadingGuarded } from '../host/homes.js';
import type { StandbyFound } from '../inventory/standby.js';
import { standbyHere } from './standby-here.js';
import { BIN, exitOf, fail, helpHint, parseCommon } from './common.js';
import { AGENT_COMMAND_HELP } from './help.js';
import { domuCaseHint } from '../../shared/domu-case-hint.js';

/** One domU as `status` shows it: where the ledger puts it and what xl list says here. */
export interface DomuStatusRow {
  readonly name: string;
  /** its home Dom0, when known */
  readonly home: string | null;
  readonly peer: string | null;
  /**
   * `home` (ours, here), `away` (ours, on awayOn), `visitor` (someone else's, here), `absent`
   * (ours, not running anywhere we know), `standby` (someone else's, not here, but this host
   * holds its config and a replica of every DRBD resource), `unrecorded` (runs here, unexplained),
   * `unsettled` (none of those: only a migration from here that ended in an ALARM names it),
   * `half` (none of those: only a migration's half of it is listed here, a move the ledger of the
   * Dom0 running it keeps)
   */
  readonly place: 'home' | 'away' | 'visitor' | 'absent' | 'standby' | 'unrecorded' | 'unsettled' | 'half';
  readonly awayOn: string | null;
  /** xl list here: state word, or null when it does not run here */
  readonly here: string | null;
  readonly since: string | null;
  readonly reason: string | null;
  /** the DRBD resources this host holds a standby replica of (standby only; [] otherwise) */
  readonly replicas: readonly string[];
}

/** xl's words for a domain that is not running (shut down, crashed, dying), as `xl list` shows it here */
const NOT_RUNNING = /^(shutdown|crashed|dying|stopped)\b/;
/**
 * "running here (blocked)"; a domain xl lists that has stopped is "listed here, not running (shutdown (web1))"; a migration's
 * half (HALF) is not the guest running, whatever its state: a paused web1--incoming still receiving, or both halves frozen after an ALARM
 */
const hereText = (here: string | null, half: boolean): string =>
  half ? `listed here as a migration's half, not running (${here ?? '?'})` : here !== null && NOT_RUNNING.test(here) ? `listed here, not running (${here})` : `running here (${here ?? '?'})`;

function describe(r: DomuStatusRow, standby: StandbyFound | undefined, half: boolean): string {
  switch (r.place) {
    case 'home':
      return `home, ${hereText(r.here, half)}`;
    case 'away':
      return `MIGRATED to ${r.awayOn ?? '?'} since ${r.since ?? '?'} (${r.reason ?? '?'})`;
    case 'visitor':
      return `visitor from ${r.home ?? '?'}, ${hereText(r.here, half)}`;
    case 'absent':
      return 'home, not running';
    case 'standby':
      return `standby: replica of ${r.replicas.join(', ')}, ${r.home !== null ? `home ${r.home}` : `home not known (its resources also name ${standby?.otherHosts.join(', ') || 'no other host'})`}, not running here`;
    case 'unrecorded':
      return `${hereText(r.here, half)}, not homed here and not in the ledger`;
    case 'unsettled':
      return 'not running here; a migration of it from here ended in an ALARM (below)';
    case 'half':
      // this Dom0 cannot tell a move under way from one whose ALARM the sender keeps: the sender's status, or where, can
      return `${hereText(r.here, true)}: a move of it, which the ledger of the Dom0 running the move keeps (xenherdctl where ${r.name})`;
  }
}

const USAGE = 'status [ALL|NAME]';

/** `status all` asks for a domU named "all": the one who typed it most likely meant ALL */
const allHint = (which: string): string => (which.toLowerCase() === 'all' ? `; every domU is listed by \`${BIN} status ALL\` (ALL in capitals: ${BIN} ${USAGE})` : '');

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [], 0, 1, USAGE);
  if (!a.ok) return fail(a.error, io, false);
  const which = a.value.positionals[0] ?? 'ALL';
  if (which !== 'ALL' && !DOMU_NAME_RE.test(which)) return fail({ code: 'XH_ERR_USAGE', message: `${USAGE}: ${JSON.stringify(which)} is neither a domU name nor ALL${helpHint(USAGE)}` }, io, a.value.json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, a.value.json);
  const c = ctx.value;
  const ledger = c.store.read();
  if (!ledger.ok) return fail(ledger.error, io, a.value.json);
  const list = await c.toolstack.list();
  if (!list.ok) return fail(list.error, io, a.value.json);
  // configs are read by the rules of this host's toolstack, which starts them
  const { homes, problems: homeProblems } = await readHomesReadingGuarded(c, c.toolstack.kind);
  const standby = await standbyHere(c, homes);
  const standbyOf = new Map(standby.found.map((s) => [s.name, s]));
  const problems: XhError[] = [
    ...homeProblems,
    // the migrate-tab is read for homes already: its problem is reported once
    ...standby.problems.filter((p) => p.source !== c.config.migration.migrateTab).map((p): XhError => ({ code: p.code, message: `${p.source}: ${p.message}` })),
  ];
  const running = list.value.filter((d) => d.baseName !== null && d.baseName !== 'Domain-0');
  const rec = reconcile(ledger.value, running, homedHere(homes, ledger.value));
  const l = rec.ledger;
  const names = new Set([...homes.keys(), ...Object.keys(ledger.value.away), ...Object.keys(ledger.value.visitors), ...Object.keys(ledger.value.unsettled), ...running.map((d) => d.baseName as string), ...standbyOf.keys()]);
  const rows: DomuStatusRow[] = [...names].sort().map((name) => {
    const dom = running.find((d) => d.baseName === name);
    const here = dom ? (dom.name === name ? dom.state : `${dom.state} (${dom.name})`) : null;
    const h = homeHere(homes, ledger.value, name);
    const away = l.away[name];
    const vis = l.visitors[name];
    const sb = standbyOf.get(name);
    const halfOnly = running.every((d) => d.baseName !== name || d.migration !== null);
    const place: DomuStatusRow['place'] = h ? (away ? 'away' : dom ? 'home' : 'absent') : vis ? 'visitor' : sb && !dom ? 'standby' : !dom && ledger.value.unsettled[name] ? 'unsettled' : dom && halfOnly ? 'half' : 'unrecorded';
    return {
      name,
      home: h ? c.host : (vis?.home ?? sb?.home ?? null),
      peer: h?.peer ?? null,
      place,
      awayOn: away?.currentHost ?? null,
      here,
      since: away?.since ?? vis?.since ?? null,
      reason: away?.reason ?? null,
      replicas: place === 'standby' && sb ? [...sb.drbdResources] : [],
    };
  });
  const shown = which === 'ALL' ? rows : rows.filter((r) => r.name === which);
  const mismatches: LedgerMismatch[] = rec.mismatches.filter((x) => which === 'ALL' || x.domu === which);
  if (which !== 'ALL' && shown.length === 0) {
    return fail({ code: 'XH_ERR_NOT_FOUND', message: `${which} is not known on ${c.host}: not homed here, not in the ledger, not running here, no standby replica here${domuCaseHint(which, rows.map((r) => r.name))}${allHint(which)}` }, io, a.value.json);
  }
  const unsettled = Object.entries(ledger.value.unsettled)
    .filter(([n]) => which === 'ALL' || n === which)
    .map(([name, u]) => ({ name, ...u }));
  // an ALARM nobody settled outranks a ledger mismatch: the domU may run on the peer
  // a problem reading this host (listed) leaves the answer incomplete: its code, as inventory gives it
  const firstProblem = problems[0];
  const code = unsettled.length > 0 ? exitOf('XH_ERR_MIGRATION_UNKNOWN') : mismatches.length > 0 ? exitOf('XH_ERR_LEDGER_MISMATCH') : firstProblem !== undefined ? exitOf(firstProblem.code) : 0;
  if (a.value.json) {
    io.stdout(jsonLine({ ok: code === 0, host: c.host, ledgerSeq: ledger.value.seq, domus: shown, mismatches, unsettled, problems }, 2));
  } else {
    // names and states come from xl list, homes from other Dom0s' files: nothing may steer the terminal
    const say = (line: string): void => io.stdout(`${printable(line)}\n`);
    // the ledger's file, which an operator can look at (its write count stays in --json as ledgerSeq)
    say(`${c.host}: ${shown.length} domU(s) (ledger ${c.config.stateDir.replace(/\/+$/, '')}/ledger.json)`);
    // the name escaped before it is padded: an escaped name is longer, and the columns must still line up
    // the row `here` was read from, as above
    const half = (name: string): boolean => (running.find((d) => d.baseName === name)?.migration ?? null) !== null;
    for (const r of shown) say(`  ${printable(r.name).padEnd(20)} ${describe(r, standbyOf.get(r.name), half(r.name))}${r.peer ? `  [peer ${r.peer}]` : ''}`);
    for (const u of unsettled) say(`  ALARM unsettled: ${u.name}: its ${u.operation} with ${u.peer} (operation ${u.operationId}, ${u.since}) ended in an ALARM: ${u.message}`);
    for (const x of mismatches) say(`  MISMATCH ${x.kind}: ${x.detail}`);
    for (const p of problems) say(`  problem: ${p.code}: ${p.message}`);
  }
  if (unsettled.length > 0) io.stderr(`${BIN}: XH_ERR_MIGRATION_UNKNOWN: ${unsettled.length} migration(s) from here ended in an ALARM nobody has settled; autostart leaves them alone (after checking both hosts, \`${BIN} reconcile NAME\` settles one)\n`);
  // a guest running here unrecorded needs its home named: reconcile refuses it without --home
  const reconcileWith = mismatches.some((x) => x.kind === 'unrecorded-guest') ? `\`${BIN} reconcile NAME\` records what xl list shows (a guest running here unrecorded: \`${BIN} reconcile NAME --home HOST\`, HOST its home)` : `\`${BIN} reconcile NAME\` records what xl list shows`;
  if (mismatches.length > 0) io.stderr(`${BIN}: XH_ERR_LEDGER_MISMATCH: ${mismatches.length} mismatch(es) between the ledger and xl list (not rewritten; after checking, ${reconcileWith})\n`);
  return code;
}

export const statusCommand: Command = { ...AGENT_COMMAND_HELP.status, run };

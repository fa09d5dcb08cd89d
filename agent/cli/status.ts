import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { reconcile, type LedgerMismatch } from '../state/ledger.js';
import { openHost } from '../migrate/context.js';
import { homedHere, homeHere } from '../decide/home-claim.js';
import { readHomes } from '../migrate/homes.js';
import { BIN, exitOf, fail, parseCommon } from './common.js';

/** One domU as `status` shows it: where the ledger puts it and what xl list says here. */
export interface DomuStatusRow {
  readonly name: string;
  /** its home Dom0, when known */
  readonly home: string | null;
  readonly peer: string | null;
  /** `home` (ours, here), `away` (ours, on awayOn), `visitor` (someone else's, here), `absent` (ours, not running anywhere we know) */
  readonly place: 'home' | 'away' | 'visitor' | 'absent' | 'unrecorded';
  readonly awayOn: string | null;
  /** xl list here: state word, or null when it does not run here */
  readonly here: string | null;
  readonly since: string | null;
  readonly reason: string | null;
}

const base = (n: string): string => n.replace(/--(incoming|migratedaway)$/, '');

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [], 0, 1, 'status [ALL|NAME]');
  if (!a.ok) return fail(a.error, io, false);
  const which = a.value.positionals[0] ?? 'ALL';
  if (which !== 'ALL' && !DOMU_NAME_RE.test(which)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(which)} is not a domU name (or ALL)` }, io, a.value.json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, a.value.json);
  const c = ctx.value;
  const ledger = c.store.read();
  if (!ledger.ok) return fail(ledger.error, io, a.value.json);
  const list = await c.toolstack.list();
  if (!list.ok) return fail(list.error, io, a.value.json);
  const { homes, problems } = await readHomes(c);
  const running = list.value.map((d) => d.name).filter((n) => n !== 'Domain-0' && n !== '(null)');
  const rec = reconcile(ledger.value, running, homedHere(homes, ledger.value));
  const l = rec.ledger;
  const names = new Set([...homes.keys(), ...Object.keys(ledger.value.away), ...Object.keys(ledger.value.visitors), ...running.map(base)]);
  const rows: DomuStatusRow[] = [...names].sort().map((name) => {
    const dom = list.value.find((d) => base(d.name) === name);
    const here = dom ? (dom.name === name ? dom.state : `${dom.state} (${dom.name})`) : null;
    const h = homeHere(homes, ledger.value, name);
    const away = l.away[name];
    const vis = l.visitors[name];
    const place: DomuStatusRow['place'] = h ? (away ? 'away' : dom ? 'home' : 'absent') : vis ? 'visitor' : 'unrecorded';
    return {
      name,
      home: h ? c.host : (vis?.home ?? null),
      peer: h?.peer ?? null,
      place,
      awayOn: away?.currentHost ?? null,
      here,
      since: away?.since ?? vis?.since ?? null,
      reason: away?.reason ?? null,
    };
  });
  const shown = which === 'ALL' ? rows : rows.filter((r) => r.name === which);
  const mismatches: LedgerMismatch[] = rec.mismatches.filter((m) => which === 'ALL' || m.domu === which);
  if (which !== 'ALL' && shown.length === 0) return fail({ code: 'XH_ERR_REFUSED', message: `${which} is not known on ${c.host}: not homed here, not in the ledger, not running here` }, io, a.value.json);
  const code = mismatches.length > 0 ? exitOf('XH_ERR_LEDGER_MISMATCH') : 0;
  if (a.value.json) {
    io.stdout(`${JSON.stringify({ ok: mismatches.length === 0, host: c.host, ledgerSeq: ledger.value.seq, domus: shown, mismatches, problems }, null, 2)}\n`);
  } else {
    io.stdout(`${c.host}: ${shown.length} domU(s), ledger write #${ledger.value.seq}\n`);
    for (const r of shown) {
      const where =
        r.place === 'home' ? `home, running here (${r.here ?? '?'})` : r.place === 'away' ? `MIGRATED to ${r.awayOn ?? '?'} since ${r.since ?? '?'} (${r.reason ?? '?'})` : r.place === 'visitor' ? `visitor from ${r.home ?? '?'}, running here (${r.here ?? '?'})` : r.place === 'absent' ? 'home, not running' : `running here (${r.here ?? '?'}), not homed here and not in the ledger`;
      io.stdout(`  ${r.name.padEnd(20)} ${where}${r.peer ? `  [peer ${r.peer}]` : ''}\n`);
    }
    for (const m of mismatches) io.stdout(`  MISMATCH ${m.kind}: ${m.detail}\n`);
    for (const p of problems) io.stdout(`  problem: ${p.code}: ${p.message}\n`);
  }
  if (mismatches.length > 0) io.stderr(`${BIN}: XH_ERR_LEDGER_MISMATCH: ${mismatches.length} mismatch(es) between the ledger and xl list (not rewritten; after checking, \`${BIN} reconcile NAME\` records what xl list shows)\n`);
  return code;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Where this Dom0\'s domUs are (ledger + xl list): at home, migrated away, visitors; mismatches reported.',
  usage:
    'status [ALL|NAME] [--json] [--config FILE]\n' +
    'Exit 0: the ledger and xl list agree; 85 (XH_ERR_LEDGER_MISMATCH): they disagree (listed, nothing rewritten);\n' +
    '79 (XH_ERR_LEDGER_CORRUPT): the ledger is unreadable; 77: NAME is not known here.',
  run,
};

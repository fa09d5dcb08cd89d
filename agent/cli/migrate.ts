import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../../shared/names.js';
import { MigrationReasonSchema } from '../state/ledger.js';
import { openHost } from '../migrate/context.js';
import { homeHere } from '../decide/home-claim.js';
import { readHomes } from '../migrate/homes.js';
import { migrateOut } from '../migrate/migrate-out.js';
import { peerStatus, runsOnPeer } from '../migrate/peer.js';
import { fail, parseCommon } from './common.js';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'reason', takesValue: true }], 1, 2, 'migrate NAME [HOST]');
  if (!a.ok) return fail(a.error, io, false);
  const [name, hostArg] = a.value.positionals as [string, string | undefined];
  const json = a.value.json;
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  if (hostArg !== undefined && !HOST_NAME_RE.test(hostArg)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(hostArg)} is not a host name` }, io, json);
  const reason = MigrationReasonSchema.exclude(['reverse']).safeParse(a.value.options['reason'] ?? 'manual');
  if (!reason.success) return fail({ code: 'XH_ERR_USAGE', message: '--reason must be manual, drain or rebalance' }, io, json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, json);
  const c = ctx.value;
  const ledger = c.store.read();
  if (!ledger.ok) return fail(ledger.error, io, json);
  const { homes } = await readHomes(c);
  const h = homeHere(homes, ledger.value, name);
  const target = hostArg ?? h?.peer ?? ledger.value.visitors[name]?.home ?? null;
  if (target === null) return fail({ code: 'XH_ERR_USAGE', message: `${name} has no migration partner (not in migrate-tab, no DRBD peer): give the HOST` }, io, json);
  const visiting = ledger.value.visitors[name];
  // a visitor's disk is replicated between its home and here: it can only go home, and the
  // home's ledger follows only that hop
  if (visiting && target !== visiting.home) return fail({ code: 'XH_ERR_REFUSED', message: `${name} is a visitor from ${visiting.home}: it can only go back there (\`migrate ${name}\` here, or \`reverse ${name}\` on ${visiting.home}), not to ${target}` }, io, json);
  if (h && h.ignoredOptions.length > 0) io.stderr(`${c.host}: migrate-tab options not on the allowlist, ignored: ${h.ignoredOptions.join(' ')}\n`);
  const progress = (line: string): void => (json ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`));
  const r = await migrateOut(c, { name, target, reason: reason.data, onProgress: progress, checkTarget: () => runsOnPeer(c, target, name) });
  if (!r.ok) return fail(r.error, io, json);
  // tell the target, through its forced command, that the domU is there (it records the visitor)
  const told = await peerStatus(c, target, name);
  const note =
    told.kind === 'here'
      ? `${target} confirmed it runs ${name}`
      : told.kind === 'absent'
        ? `WARNING: ${target} answers that ${name} does not run there although the migration succeeded: check both hosts (\`status ALL\`)`
        : `${target} was not told (${told.kind}: ${told.why}); its ledger learns ${name} when ${c.host} next asks it over ssh (\`reverse ${name}\`)`;
  if (json) io.stdout(`${JSON.stringify({ ok: true, domu: name, from: c.host, to: target, operationId: r.value.operationId, message: r.value.message, targetConfirmed: told.kind === 'here' })}\n`);
  else io.stdout(`${r.value.message}\n${note}\nSuccess.\n`);
  return 0;
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Live-migrate a domU running here to HOST (default: its migrate-tab/DRBD peer) and record it in the ledger.',
  usage:
    'migrate NAME [HOST] [--reason manual|drain|rebalance] [--json] [--config FILE]\n' +
    'Exit 0: migrated, ledger updated; 82 XH_ERR_MIGRATION_FAILED: still here, ledger unchanged;\n' +
    '83 XH_ERR_MIGRATION_UNKNOWN: ALARM, undefined ending and the hosts disagree (nothing recorded);\n' +
    '81 XH_ERR_LOCKED: another migration of NAME runs; 77: NAME does not run here; 79: ledger corrupt.',
  run,
};

import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { ERROR_CATALOG, type ErrorCode } from '../../shared/errors.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { lockDomU } from '../migrate/domu-lock.js';
import { without } from '../state/ledger.js';
import { nudgeDaemon, openHost } from '../migrate/context.js';
import { presentHere } from '../migrate/migrate-out.js';
import { askPeer, runsOnPeer } from '../migrate/peer.js';
import { BIN, fail, parseCommon } from './common.js';

const codeForExit = (exit: number | null): ErrorCode => (Object.entries(ERROR_CATALOG).find(([, e]) => e.exit === exit)?.[0] as ErrorCode | undefined) ?? 'XH_ERR_TOOL_FAILED';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [], 1, 1, 'reverse NAME');
  if (!a.ok) return fail(a.error, io, false);
  const name = a.value.positionals[0] as string;
  const json = a.value.json;
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, json);
  const c = ctx.value;
  const ledger = c.store.read();
  if (!ledger.ok) return fail(ledger.error, io, json);
  const away = ledger.value.away[name];
  if (!away) return fail({ code: 'XH_ERR_REFUSED', message: `the ledger of ${c.host} has no record of ${name} having left: nothing to reverse` }, io, json);
  // held here too: the home's daemon must not start NAME while it arrives as NAME--incoming
  const lock = await lockDomU(c, name, 'reverse', away.operationId);
  if (!lock.ok) return fail(lock.error, io, json);
  try {
    if ((await presentHere(c, name)) === true) return fail({ code: 'XH_ERR_LEDGER_MISMATCH', message: `${name} already runs on ${c.host} although the ledger says it is on ${away.currentHost}: check both hosts, then \`xenherd-agent reconcile ${name}\` records it as back` }, io, json);
    const say = (line: string): void => (json ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`));
    say(`asking ${away.currentHost} to migrate ${name} back to ${c.host} (migrate2 over ssh)`);
    let result = '';
    const r = await askPeer(c, away.currentHost, `migrate2 ${name}`, (line, stream) => {
      if (stream === 'stdout' && line.startsWith('result: ')) result = line.slice(8);
      else if (stream === 'stdout') say(`${away.currentHost}: ${line.replace(/^progress: /, '')}`);
    });
    if (!r.ok) return fail(r.error, io, json);
    const here = await presentHere(c, name);
    const peerWhy = (): string => result || r.value.stderr.trim().split('\n').pop() || `exit ${String(r.value.exitCode)}`;
    let warning: string | null = null;
    if (here === true && r.value.exitCode !== 0) {
      // NAME arrived, but the peer's migrate2 did not end well: only record it when the peer no longer has it
      const there = await runsOnPeer(c, away.currentHost, name);
      if (there !== false) {
        return fail({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${name} runs on ${c.host} but ${away.currentHost}'s migrate2 ended badly (${peerWhy()}) and ${away.currentHost} ${there === true ? 'still lists it' : 'cannot be asked'}; the ledger is unchanged, check both hosts` }, io, json);
      }
      warning = `${away.currentHost}'s migrate2 ended badly (${peerWhy()}), but ${name} runs here and no longer there`;
    }
    if (here === true) {
      const w = await c.store.update((l) => without(l, name));
      if (!w.ok) return fail({ code: w.error.code, message: `${name} is back on ${c.host} but the ledger could not be written: ${w.error.message}` }, io, json);
      await nudgeDaemon(c);
      if (warning) io.stderr(`${BIN}: warning: ${warning}\n`);
      if (json) io.stdout(`${JSON.stringify({ ok: true, domu: name, from: away.currentHost, to: c.host, message: result, warning })}\n`);
      else io.stdout(`${away.currentHost}: ${result || '(no result line)'}\n${name} is back on ${c.host}; ledger updated\nSuccess.\n`);
      return 0;
    }
    if (r.value.exitCode === 0) return fail({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${away.currentHost} reported success but ${name} does not run on ${c.host}; the ledger is unchanged, check both hosts` }, io, json);
    if (r.value.exitCode === null) {
      // killed (signal) or the connection dropped: the migration may have been cut anywhere
      return fail({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${away.currentHost}'s migrate2 ended without an exit status (${peerWhy()}): ${name} is not here and its state there is unknown; the ledger is unchanged, check \`${BIN} status ${name}\` on ${away.currentHost}` }, io, json);
    }
    const code = codeForExit(r.value.exitCode);
    return fail({ code, message: `${away.currentHost} did not migrate ${name} back: ${peerWhy().replace(/^refused [A-Z_]+: /, '')}${here === false ? `; ${name} is not here, the ledger is unchanged` : ''}` }, io, json);
  } finally {
    lock.value.release();
  }
}

export const reverseCommand: Command = {
  name: 'reverse',
  summary: 'Bring a domU that left this Dom0 back: asks its current host (ssh2, migration key) to run migrate2.',
  usage:
    'reverse NAME [--json] [--config FILE]\n' +
    'Exit 0: back here, ledger updated; 77: the ledger has no record of NAME leaving, or the peer refused;\n' +
    '80/81/82/83: the peer\'s migrate2 result (rejected, locked, failed, ALARM); 84 XH_ERR_PEER_UNREACHABLE: ssh failed,\n' +
    'or the peer cannot reach this host\'s sshd; 83 also when the peer\'s migrate2 died without an exit status;\n' +
    '70 XH_ERR_TOOL_FAILED: the peer\'s migrate2 ended with an exit code of no meaning here (crashed).',
  run,
};

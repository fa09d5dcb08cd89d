import type { CliIo } from '../../../shared/cli/io.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import { WhereAnswerSchema } from '../../../shared/protocol/ctl-where.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { domuNameProblem } from '../domu-name.js';
import { printable } from '../../../shared/text/printable.js';
import { SSH_USAGE } from '../help/ssh.js';
import { dom0Of, isStale } from '../where-line.js';

/**
 * `ssh NAME [CMD...]`: every option before `--` is xenherdctl's (--json among them, as for every
 * command); CMD's own options go after `--`. With --json nothing is run: the Dom0 and the ssh
 * command line are printed as JSON, for scripts that run ssh their own way.
 */
export async function ssh(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [1, Number.POSITIVE_INFINITY], SSH_USAGE, (a) => domuNameProblem(a.positionals[0] as string, 'ssh'));
  if (!inv.ok) {
    const hint = inv.error.code === 'XH_ERR_USAGE' && /unknown option/.test(inv.error.message) ? ' (put the remote command after --: xenherdctl ssh web01 -- ls -l)' : '';
    return fail({ ...inv.error, message: inv.error.message + hint }, io, wantsJson(argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv));
  }
  const { json, client } = inv.value;
  const [name, ...cmd] = inv.value.args.positionals as [string, ...string[]];
  const r = await client.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
  if (!r.ok) return fail(r.error, io, json);
  const m = r.value.matches[0];
  const host = m ? dom0Of(m) : null;
  if (!m || host === null) return fail({ code: 'XH_ERR_NOT_FOUND', message: m ? `${name} runs on no host` : `no domU named ${name}` }, io, json);
  // the name came from a remote agent: never let it become an ssh option
  if (!HOST_NAME_RE.test(host)) return fail({ code: 'XH_ERR_PROTOCOL', message: `the controller named the Dom0 ${JSON.stringify(printable(host))}, which is not a host name` }, io, json);
  const stale = isStale(m);
  if (stale) io.stderr(`xenherdctl: warning: ${name} on ${host} is a stale answer (host unreachable or unheard for more than 30 s)\n`);
  const args = [`root@${host}`, ...cmd];
  if (json) {
    io.stdout(`${JSON.stringify({ name, host, stale, argv: ['ssh', ...args] })}\n`);
    return 0;
  }
  return hooks.execSsh(args);
}

import type { CliIo } from '../../../shared/cli/io.js';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../../../shared/names.js';
import { WhereAnswerSchema } from '../../../shared/protocol/ctl-where.js';
import { begin, fail, type CtlHooks } from '../context.js';
import { printable } from '../../../shared/text/printable.js';
import { SSH_USAGE } from '../help/ssh.js';
import { dom0Of, isStale } from '../where-line.js';

export async function ssh(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [1, Number.POSITIVE_INFINITY], SSH_USAGE);
  if (!inv.ok) {
    const hint = inv.error.code === 'XH_ERR_USAGE' && /unknown option/.test(inv.error.message) ? ' (put the remote command after --: xenherdctl ssh web01 -- ls -l)' : '';
    return fail({ ...inv.error, message: inv.error.message + hint }, io, false);
  }
  const [name, ...cmd] = inv.value.args.positionals as [string, ...string[]];
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name (ssh takes an exact name, not a pattern)` }, io, false);
  const r = await inv.value.client.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
  if (!r.ok) return fail(r.error, io, false);
  const m = r.value.matches[0];
  const host = m ? dom0Of(m) : null;
  if (!m || host === null) return fail({ code: 'XH_ERR_NOT_FOUND', message: m ? `${name} runs on no host` : `no domU named ${name}` }, io, false);
  // the name came from a remote agent: never let it become an ssh option
  if (!HOST_NAME_RE.test(host)) return fail({ code: 'XH_ERR_PROTOCOL', message: `the controller named the Dom0 ${JSON.stringify(printable(host))}, which is not a host name` }, io, false);
  if (isStale(m)) io.stderr(`xenherdctl: warning: ${name} on ${host} is a stale answer (host unreachable or unheard for more than 30 s)\n`);
  return hooks.execSsh([`root@${host}`, ...cmd]);
}

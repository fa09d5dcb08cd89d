import type { CliIo } from '../../../shared/cli/io.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import { WhereAnswerSchema } from '../../../shared/protocol/ctl-where.js';
import { notKnownYet } from '../not-known-yet.js';
import { caseHint } from '../case-hint.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { domuNameProblem } from '../domu-name.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { SSH_USAGE } from '../help/ssh.js';
import { dom0Of, isStale } from '../where-line.js';

/**
 * `ssh [--json] NAME [CMD...]`: as ssh reads `ssh [OPTIONS] HOST [CMD...]`, only the words before
 * NAME are xenherdctl's options; every word after NAME is the remote command's (`ssh web1 uptime
 * --json` runs `uptime --json` there), so a remote option never changes what xenherdctl does. A
 * `--` right after NAME is dropped, as before, when it was how CMD's options were kept apart. With
 * --json nothing is run: the Dom0 and the ssh command line are printed as JSON, for scripts that run
 * ssh their own way.
 */
export async function ssh(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const at = argv.findIndex((w) => w === '--' || w === '-' || !w.startsWith('-'));
  const own = at < 0 ? argv : argv.slice(0, at);
  const nameAt = at >= 0 && argv[at] === '--' ? at + 1 : at;
  let rest = nameAt < 0 ? [] : argv.slice(nameAt + 1);
  // `ssh NAME --json [-- CMD...]`, as the docs once showed: kept, as the remote command has not
  // begun there (ssh would refuse `--json` as its own option anyway)
  const lateJson = rest[0] === '--json' && (rest.length === 1 || rest[1] === '--');
  if (lateJson) rest = rest.slice(1);
  const cmd = rest[0] === '--' ? rest.slice(1) : rest;
  const named = nameAt >= 0 && nameAt < argv.length ? ['--', argv[nameAt] as string] : [];
  const inv = begin([...own, ...(lateJson && !own.includes('--json') ? ['--json'] : []), ...named], io, hooks, [], [1, 1], SSH_USAGE, (a) => domuNameProblem(a.positionals[0] as string, 'ssh'));
  if (!inv.ok) {
    const hint = inv.error.code === 'XH_ERR_USAGE' && /unknown option/.test(inv.error.message) ? " (xenherdctl's options go before NAME; the remote command and its options after it: xenherdctl ssh web01 ls -l)" : '';
    return fail({ ...inv.error, message: inv.error.message + hint }, io, wantsJson(own) || lateJson);
  }
  const { json, client } = inv.value;
  const name = inv.value.args.positionals[0] as string;
  const r = await client.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
  if (!r.ok) return fail(r.error, io, json);
  const m = r.value.matches[0];
  const host = m ? dom0Of(m) : null;
  if (!m || host === null) {
    const hint = m ? '' : await caseHint(client, name);
    const yet = hint ? null : notKnownYet(m ? `${name} runs on no Dom0 heard so far` : `no domU named ${name} on the Dom0s heard so far`, r.value);
    return fail(yet ?? { code: 'XH_ERR_NOT_FOUND', message: m ? `${name} runs on no host` : `no domU named ${name}${hint}` }, io, json);
  }
  // the name came from a remote agent: never let it become an ssh option
  if (!HOST_NAME_RE.test(host)) return fail({ code: 'XH_ERR_PROTOCOL', message: `the controller named the Dom0 ${JSON.stringify(printable(host))}, which is not a host name` }, io, json);
  const stale = isStale(m);
  if (stale) io.stderr(`xenherdctl: warning: ${name} on ${host} is a stale answer (host unreachable or unheard for more than 30 s)\n`);
  const args = [`root@${host}`, ...cmd];
  if (json) {
    io.stdout(jsonLine({ name, host, stale, argv: ['ssh', ...args] }));
    return 0;
  }
  return hooks.execSsh(args);
}

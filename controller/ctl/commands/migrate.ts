import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import { exitCodeFor } from '../../../shared/errors.js';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../../../shared/names.js';
import type { CommandRequest } from '../../../shared/protocol/ctl-api.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { printable } from '../../../shared/text/printable.js';

/**
 * Sends a migrate or reverse to the controller, which hands it to the right agent; progress is
 * printed as it comes, and the exit code is the agent's result code.
 */
async function run(op: CommandRequest['op'], argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const usage = op === 'migrate' ? 'migrate NAME [HOST] [--json]' : 'reverse NAME [--json]';
  const inv = begin(argv, io, hooks, [], op === 'migrate' ? [1, 2] : [1, 1], usage);
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { json, client, args } = inv.value;
  const [name, target] = args.positionals as [string, string | undefined];
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  if (target !== undefined && !HOST_NAME_RE.test(target)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(target)} is not a host name` }, io, json);
  const req: CommandRequest = op === 'migrate' ? { op, name, target: target ?? null } : { op, name };
  const r = await client.command(req, (e) => {
    if (json) io.stdout(`${JSON.stringify(e)}\n`);
    else if (e.type === 'accepted') io.stdout(`${op} ${name}: sent to ${printable(e.host)} (operation ${printable(e.operationId)})\n`);
    else if (e.type === 'progress') io.stdout(`${printable(e.line)}\n`);
  });
  if (!r.ok) return fail(r.error, io, json);
  if (json) io.stdout(`${JSON.stringify(r.value)}\n`);
  if (r.value.ok) {
    if (!json) io.stdout(`${printable(r.value.message)}\n`);
    return 0;
  }
  const code = r.value.code ?? 'XH_ERR_INTERNAL';
  io.stderr(`xenherdctl: ${code}: ${printable(r.value.message)}\n${r.value.detail ? `${printable(r.value.detail)}\n` : ''}`);
  return exitCodeFor(code);
}

export const migrateCommand = (hooks: CtlHooks): Command => ({
  name: 'migrate',
  summary: 'Live-migrate NAME to HOST (default: its migrate-tab/DRBD peer) through the agent running it.',
  usage: 'migrate NAME [HOST] [--json]',
  help: [
    'Live-migrates NAME from the Dom0 running it to HOST (default: its migrate-tab or DRBD peer). The',
    "controller sends the command to that Dom0's agent; its progress is printed as it happens.",
    '',
    'usage: xenherdctl migrate NAME [HOST] [--json]',
    "exit: 0 migrated; otherwise the agent's result code (82 failed, still at the source; 83 ALARM: undefined;",
    '      81 locked; ...), 91 the agent\'s link dropped (outcome unknown), 76 its agent is not connected',
    '',
  ].join('\n'),
  run: (argv, io) => run('migrate', argv, io, hooks),
});

export const reverseCommand = (hooks: CtlHooks): Command => ({
  name: 'reverse',
  summary: "Bring NAME back to its home Dom0 (the home's agent pulls it back over ssh).",
  usage: 'reverse NAME [--json]',
  help: [
    "Brings NAME back to its home: the controller sends the command to the home Dom0's agent, which asks",
    'the Dom0 now running it to migrate it back (migrate2 over ssh); progress is printed as it happens.',
    '',
    'usage: xenherdctl reverse NAME [--json]',
    "exit: 0 back home; otherwise the agent's result code, 91 the agent's link dropped (outcome unknown)",
    '',
  ].join('\n'),
  run: (argv, io) => run('reverse', argv, io, hooks),
});

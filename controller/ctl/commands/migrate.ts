import type { CliIo } from '../../../shared/cli/io.js';
import { exitCodeFor, type XhError } from '../../../shared/errors.js';
import { hostNameProblem } from '../../../shared/names.js';
import { CommandEventSchema, type CommandEvent, type CommandRequest } from '../../../shared/protocol/ctl-api.js';
import type { EventStream } from '../client.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { domuNameProblem } from '../domu-name.js';
import { MIGRATE_USAGE, REVERSE_USAGE } from '../help/migrate.js';
import { printable } from '../../../shared/text/printable.js';

type CommandResult = Extract<CommandEvent, { type: 'result' }>;
/** POST /v1/commands streams these, `result` last; each is a progress line or a result, far below 64 KiB. */
const COMMAND_EVENTS: EventStream<CommandEvent, CommandResult> = { schema: CommandEventSchema, isLast: (e): e is CommandResult => e.type === 'result', what: 'a command event', maxLineChars: 64 * 1024 };

/**
 * Sends a migrate or reverse to the controller, which hands it to the right agent; progress is
 * printed as it comes, and the exit code is the agent's result code.
 */
export async function sendCommand(op: CommandRequest['op'], argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const usage = op === 'migrate' ? MIGRATE_USAGE : REVERSE_USAGE;
  const inv = begin(argv, io, hooks, [], op === 'migrate' ? [1, 2] : [1, 1], usage, (a) => {
    const [name, target] = a.positionals as [string, string | undefined];
    return domuNameProblem(name, op) ?? (target === undefined ? null : hostNameProblem(target));
  });
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { json, client, args } = inv.value;
  const [name, target] = args.positionals as [string, string | undefined];
  const req: CommandRequest = op === 'migrate' ? { op, name, target: target ?? null } : { op, name };
  const closedEarly: XhError = { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `the connection to the controller closed before the command's result: it may still be running; check \`xenherdctl where ${req.name}\`` };
  const r = await client.stream(
    '/commands',
    req,
    COMMAND_EVENTS,
    (e) => {
      // the result is printed below, once
      if (e.type === 'result') return;
      if (json) io.stdout(`${JSON.stringify(e)}\n`);
      else if (e.type === 'accepted') io.stdout(`${op} ${name}: sent to ${printable(e.host)} (operation ${printable(e.operationId)})\n`);
      else if (e.type === 'progress') io.stdout(`${printable(e.line)}\n`);
    },
    closedEarly,
  );
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

import type { CliIo } from '../../../shared/cli/io.js';
import { exitCodeFor, type XhError } from '../../../shared/errors.js';
import { hostNameProblem } from '../../../shared/names.js';
import { CommandEventSchema, type CommandEvent, type CommandRequest } from '../../../shared/protocol/ctl-api.js';
import { alreadyHome, alreadyOn } from '../already-home.js';
import { caseHint } from '../case-hint.js';
import type { CtlClient, EventStream } from '../client.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { domuNameProblem } from '../domu-name.js';
import { MIGRATE_USAGE, REVERSE_USAGE } from '../help/migrate.js';
import { followAfterLinkLost } from '../link-lost-follow.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';

type CommandResult = Extract<CommandEvent, { type: 'result' }>;
/** POST /v1/commands streams these, `result` last; each is a progress line or a result, far below 64 KiB. */
const COMMAND_EVENTS: EventStream<CommandEvent, CommandResult> = { schema: CommandEventSchema, isLast: (e): e is CommandResult => e.type === 'result', what: 'a command event', maxLineChars: 64 * 1024 };

/**
 * Sends a migrate or reverse to the controller, which hands it to the right agent; progress is
 * printed as it comes, and the exit code is the agent's result code.
 */
export async function sendCommand(op: CommandRequest['op'], argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const usage = op === 'migrate' ? MIGRATE_USAGE : REVERSE_USAGE;
  const inv = begin(argv, io, hooks, op === 'migrate' ? [{ name: 'dry-run', takesValue: false }] : [], op === 'migrate' ? [1, 2] : [1, 1], usage, (a) => {
    const [name, target] = a.positionals as [string, string | undefined];
    return domuNameProblem(name, op) ?? (target === undefined ? null : hostNameProblem(target));
  });
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const { json, client, args } = inv.value;
  const [name, target] = args.positionals as [string, string | undefined];
  // the domU's own Dom0 is not known before the controller is asked: only a target is
  if (target !== undefined) client.needs([target]);
  // sent only when asked: a controller older than --dry-run refuses the key rather than move NAME
  const dry = op === 'migrate' && args.options['dry-run'] === true;
  const dryRun = dry ? { dryRun: true as const } : {};
  const req: CommandRequest = op === 'migrate' ? { op, name, target: target ?? null, ...dryRun } : { op, name };
  // a dry run is answered by the controller alone and starts nothing: cut short, there is nothing to look for
  const closedEarly: XhError = {
    code: 'XH_ERR_CONTROLLER_UNREACHABLE',
    message: dry
      ? `the connection to the controller closed before the dry run's answer: a dry run starts nothing, nothing was started; run it again`
      : `the connection to the controller closed before the command's result: it may still be running; check \`xenherdctl where ${req.name}\``,
  };
  let accepted = false;
  let sentTo: string | null = null;
  const abort = new AbortController();
  let stopWatching: () => void = () => undefined;
  const interrupted = new Promise<number>((resolve) => (stopWatching = () => resolve(130)));
  // A sent command has no cancel in the API (jobs do: /jobs/cancel) and the agent carries it to its
  // end whoever listens, so Ctrl-C only stops watching; said, as a silent 130 reads as "cancelled"
  // and the next migrate is then refused as "being migrated right now".
  const offInterrupt =
    hooks.onInterrupt?.(() => {
      const what = accepted ? 'goes on' : 'may have started';
      io.stderr(
        dry
          ? `xenherdctl: stopped: the dry run of ${name} starts nothing, nothing was started\n`
          : `xenherdctl: stopped watching: the migration of ${name} ${what} on the Dom0s (it cannot be cancelled from here); \`xenherdctl where ${name}\` shows where it is\n`,
      );
      stopWatching();
      abort.abort();
    }) ?? (() => undefined);
  const stream = client.stream(
    '/commands',
    req,
    COMMAND_EVENTS,
    (e) => {
      // the result is printed below, once
      if (e.type === 'result') return;
      if (e.type === 'accepted') {
        accepted = true;
        sentTo = e.host;
      }
      if (json) io.stdout(jsonLine(e));
      else if (e.type === 'accepted') io.stdout(`${op} ${name}: sent to the agent of ${printable(e.host)} (operation ${printable(e.operationId)})\n`);
      else if (e.type === 'progress') io.stdout(`${printable(e.line)}\n`);
    },
    closedEarly,
    abort.signal,
  );
  const r = await Promise.race([stream, interrupted]).finally(offInterrupt);
  if (typeof r === 'number') return r;
  // a reverse refused because NAME is already home is done: `for d in $list; do xenherdctl reverse $d; done`
  // after maintenance, as `restore` does for a whole host, fails only for those not home; so is a
  // migrate to the Dom0 already running it (a script's "web01 on xen2" holds either way)
  const refused = !r.ok ? r.error.code : r.value.ok ? null : r.value.code;
  const home =
    refused !== 'XH_ERR_REFUSED' ? null : op === 'reverse' ? await alreadyHome(client, name, () => hooks.clock.now()) : target === undefined ? null : await alreadyOn(client, name, target);
  if (home !== null) {
    io.stdout(json ? jsonLine({ type: 'result', ok: true, code: null, message: home, detail: null }) : `${printable(home)}\n`);
    return 0;
  }
  if (!r.ok) return notFound(r.error, name, client, io, json);
  if (json) io.stdout(jsonLine(r.value));
  if (r.value.ok) {
    if (!json) io.stdout(`${printable(r.value.message)}\n`);
    return 0;
  }
  const code = r.value.code ?? 'XH_ERR_INTERNAL';
  const hint = code === 'XH_ERR_NOT_FOUND' ? await caseHint(client, name) : '';
  io.stderr(`xenherdctl: ${code}: ${printable(r.value.message)}${hint}\n${r.value.detail ? `${detailLine(r.value.detail)}\n` : ''}`);
  // the agent carries the move on without its link: where NAME ends is told here, not left to polling `where`
  if (code === 'XH_ERR_AGENT_LINK_LOST' && !json && !dry) {
    const ends = op === 'migrate' ? { op, name, source: sentTo, dest: target ?? null } : { op, name, source: null, dest: sentTo };
    return followAfterLinkLost(client, ends, io, hooks);
  }
  return exitCodeFor(code);
}

/** E, with the name in another case when NAME is not found as spelled (web1 for WEB1). */
async function notFound(e: XhError, name: string, client: CtlClient, io: CliIo, json: boolean): Promise<number> {
  const hint = e.code === 'XH_ERR_NOT_FOUND' ? await caseHint(client, name) : '';
  return fail({ ...e, message: e.message + hint }, io, json);
}

/** The agent's own words under the error: its JSON answer (a move it called done) said to be that, not left bare. */
export const detailLine = (detail: string): string => `${detail.trimStart().startsWith('{') ? "the agent's answer: " : ''}${printable(detail)}`;

import * as z from 'zod';
import { parseArgv } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError, type Command } from '../../shared/cli/program.js';
import type { XhError } from '../../shared/errors.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { CONTROL_PROTOCOL_VERSION, type ControlRequest } from '../../shared/protocol/agent-control.js';
import { loadAgentConfig } from '../config/resolve.js';
import { DEFAULT_CONTROL_SOCKET } from '../config/schema.js';
import { askAgent } from '../control/client.js';
import { underRoot } from '../host/paths.js';
import { renderAutostartStatus } from './autostart-render.js';
import { AGENT_COMMAND_HELP } from './help.js';
import { jsonLine, printable } from '../../shared/text/printable.js';

const BIN = 'xenherd-agent';

const OptionsSchema = z.strictObject({
  json: z.literal(true).optional(),
  config: z.string().min(1).optional(),
  socket: z.string().startsWith('/', 'must be an absolute path, e.g. /run/xenherd/agent.sock').optional(),
  force: z.string().regex(DOMU_NAME_RE, 'must be a domU name').optional(),
  reason: z.string().min(3, 'must say why, in a few words').max(500, 'must be at most 500 characters').optional(),
});

const ActionSchema = z.enum(['start', 'stop', 'status', 'reload'], 'must be start, stop, status or reload');

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgv(argv, [
    { name: 'json', takesValue: false },
    { name: 'config', takesValue: true },
    { name: 'socket', takesValue: true },
    { name: 'force', takesValue: true },
    { name: 'reason', takesValue: true },
  ]);
  if (!parsed.ok) return reportError(BIN, parsed.error, io);
  const [word, ...extra] = parsed.value.positionals;
  if (extra.length > 0) return reportError(BIN, { code: 'XH_ERR_USAGE', message: `unexpected ${JSON.stringify(extra[0])} (see autostart --help)` }, io);
  const action = ActionSchema.safeParse(word);
  if (!action.success) return reportError(BIN, { code: 'XH_ERR_USAGE', message: `autostart ${word === undefined ? 'needs an action' : JSON.stringify(word)}: must be start, stop, status or reload` }, io);
  const opts = OptionsSchema.safeParse(parsed.value.options);
  if (!opts.success) {
    const issue = opts.error.issues[0];
    return reportError(BIN, { code: 'XH_ERR_USAGE', message: `--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}` }, io);
  }
  const o = opts.data;
  if ((o.force !== undefined || o.reason !== undefined) && action.data !== 'start') {
    return reportError(BIN, { code: 'XH_ERR_USAGE', message: '--force and --reason go with `autostart start --force NAME --reason TEXT`' }, io);
  }
  if (o.force !== undefined && o.reason === undefined) {
    return reportError(BIN, { code: 'XH_ERR_USAGE', message: `--force ${o.force} needs --reason TEXT: the log keeps why an operator overrode a defer` }, io);
  }
  if (o.reason !== undefined && o.force === undefined) return reportError(BIN, { code: 'XH_ERR_USAGE', message: '--reason goes with --force NAME' }, io);

  const root = io.env['XENHERD_HOST_ROOT'] ?? '/';
  let socket = o.socket;
  if (socket === undefined) {
    const cfg = loadAgentConfig(o.config, root);
    if (!cfg.ok) return reportError(BIN, cfg.error, io);
    socket = underRoot(root, cfg.value.config.controlSocket);
  }
  const operator = io.env['SUDO_USER'] ?? io.env['USER'] ?? null;
  const req: ControlRequest =
    o.force !== undefined
      ? { v: CONTROL_PROTOCOL_VERSION, op: 'force', name: o.force, reason: o.reason ?? '', operator }
      : { v: CONTROL_PROTOCOL_VERSION, op: action.data };
  const answer = await askAgent(socket, req);
  if (!answer.ok) return reportError(BIN, withMovedSocketHint(answer.error, socket, o.socket !== undefined), io);
  const r = answer.value;
  if (!r.ok) {
    if (o.json) io.stdout(jsonLine(r, 2));
    return reportError(BIN, r.error, io);
  }
  if (o.json) io.stdout(jsonLine(action.data === 'status' ? r.status : r, 2));
  else {
    // the running daemon's words, which may quote a tool or a file name: escaped as its refusals are
    if (r.message) io.stdout(`${printable(r.message)}\n`);
    if (r.status && (action.data === 'status' || r.message === '')) io.stdout(renderAutostartStatus(r.status));
  }
  return 0;
}

export const autostartCommand: Command = { ...AGENT_COMMAND_HELP.autostart, run };

/**
 * A running agent keeps the control socket it started with: after an edit of controlSocket the
 * config names a socket nobody listens on yet, and "not running" alone would mislead.
 */
function withMovedSocketHint(e: XhError, socket: string, given: boolean): XhError {
  if (given || e.code !== 'XH_ERR_AGENT_UNREACHABLE' || socket.endsWith(DEFAULT_CONTROL_SOCKET)) return e;
  return { ...e, message: `${e.message}; if controlSocket was changed in the config since the agent started, it still listens on the old one: systemctl restart xenherd-agent, or --socket OLD_PATH` };
}

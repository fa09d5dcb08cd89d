import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { DEFAULT_SHUTDOWN_WAIT_MS } from '../decide/cold-move-plan.js';
import { runColdStop } from '../migrate/cold-stop.js';
import { openHost } from '../migrate/context.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { fail, parseCommon } from './common.js';
import { moveArgs } from './move-args.js';
import { AGENT_COMMAND_HELP } from './help.js';

const TIMEOUT_RE = /^[0-9]{1,5}$/;
const MIN_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 3600;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'to', takesValue: true }, { name: 'reason', takesValue: true }, { name: 'operation-id', takesValue: true }, { name: 'timeout', takesValue: true }], 1, 1, 'move-stop NAME');
  if (!a.ok) return fail(a.error, io, false);
  const json = a.value.json;
  const m = moveArgs(a.value, 'to', 'move-stop');
  if (!m.ok) return fail(m.error, io, json);
  const t = a.value.options['timeout'];
  const seconds = t === undefined ? DEFAULT_SHUTDOWN_WAIT_MS / 1000 : typeof t === 'string' && TIMEOUT_RE.test(t) ? Number(t) : NaN;
  if (!(seconds >= MIN_TIMEOUT_S && seconds <= MAX_TIMEOUT_S)) return fail({ code: 'XH_ERR_USAGE', message: `--timeout ${JSON.stringify(t)}: give the seconds to wait for the guest's shutdown, ${MIN_TIMEOUT_S} to ${MAX_TIMEOUT_S}` }, io, json);
  // the daemon says drain for a controller's cold fallback; by hand it is the operator's move
  const reason = a.value.options['reason'] ?? 'manual';
  if (reason !== 'manual' && reason !== 'drain') return fail({ code: 'XH_ERR_USAGE', message: `--reason must be manual or drain, not ${JSON.stringify(reason)}` }, io, json);
  const ctx = await openHost(io, a.value.config, 'xenherd-agent move-stop');
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ports = processMigrationPorts(ctx.value);
  const operationId = m.value.operationId ?? ports.newOperationId();
  const say = (line: string): void => (json ? io.stderr(`${printable(line)}\n`) : io.stdout(`${printable(line)}\n`));
  const done = await runColdStop(ports, { name: m.value.name, target: m.value.peer, reason, operationId, shutdownWaitMs: seconds * 1000 }, say);
  if (!done.ok) return fail(done.error, io, json);
  const p = done.value.plan;
  if (json) io.stdout(jsonLine({ ok: true, domu: p.name, from: p.from, to: p.to, operationId, message: done.value.message }));
  else io.stdout(`${printable(done.value.message)}\nNext, on ${p.to}: xenherd-agent move-start ${p.name} --from ${p.from} --operation-id ${operationId}\n`);
  return 0;
}

export const moveStopCommand: Command = { ...AGENT_COMMAND_HELP.moveStop, run };

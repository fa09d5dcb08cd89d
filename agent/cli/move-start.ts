import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { runColdStart } from '../migrate/cold-start.js';
import { openHost } from '../migrate/context.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { fail, parseCommon } from './common.js';
import { moveArgs } from './move-args.js';
import { AGENT_COMMAND_HELP } from './help.js';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'from', takesValue: true }, { name: 'operation-id', takesValue: true }], 1, 1, 'move-start NAME');
  if (!a.ok) return fail(a.error, io, false);
  const json = a.value.json;
  const m = moveArgs(a.value, 'from', 'move-start');
  if (!m.ok) return fail(m.error, io, json);
  const ctx = await openHost(io, a.value.config, 'xenherd-agent move-start');
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ports = processMigrationPorts(ctx.value);
  const operationId = m.value.operationId ?? ports.newOperationId();
  const say = (line: string): void => (json ? io.stderr(`${printable(line)}\n`) : io.stdout(`${printable(line)}\n`));
  const done = await runColdStart(ports, { name: m.value.name, from: m.value.peer, operationId }, say);
  if (!done.ok) return fail(done.error, io, json);
  const p = done.value.plan;
  if (json) io.stdout(jsonLine({ ok: true, domu: p.name, from: p.from, to: p.to, operationId, message: done.value.message }));
  else io.stdout(`${printable(done.value.message)}\nSuccess.\n`);
  return 0;
}

export const moveStartCommand: Command = { ...AGENT_COMMAND_HELP.moveStart, run };

import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { printable } from '../../shared/text/printable.js';
import { runColdStart } from '../migrate/cold-start.js';
import { openHost } from '../migrate/context.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { fail, parseCommon } from './common.js';
import { moveArgs } from './move-args.js';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'from', takesValue: true }, { name: 'operation-id', takesValue: true }], 1, 1, 'move-start NAME');
  if (!a.ok) return fail(a.error, io, false);
  const json = a.value.json;
  const m = moveArgs(a.value, 'from', 'move-start');
  if (!m.ok) return fail(m.error, io, json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ports = processMigrationPorts(ctx.value);
  const operationId = m.value.operationId ?? ports.newOperationId();
  const say = (line: string): void => (json ? io.stderr(`${printable(line)}\n`) : io.stdout(`${printable(line)}\n`));
  const done = await runColdStart(ports, { name: m.value.name, from: m.value.peer, operationId }, say);
  if (!done.ok) return fail(done.error, io, json);
  const p = done.value.plan;
  if (json) io.stdout(`${JSON.stringify({ ok: true, domu: p.name, from: p.from, to: p.to, operationId, message: done.value.message })}\n`);
  else io.stdout(`${printable(done.value.message)}\nSuccess.\n`);
  return 0;
}

export const moveStartCommand: Command = {
  name: 'move-start',
  summary: 'Cold move, second half: start here a domU that `move-stop` shut down on another Dom0.',
  usage:
    'move-start NAME --from HOST [--operation-id ID] [--json] [--config FILE]\n' +
    '  The two halves of a cold move, what `xenherdctl drain --cold-fallback` runs when live migration keeps\n' +
    '  failing: `move-stop NAME --to THIS-HOST` on HOST, then `move-start` here.\n' +
    '  NAME starts from this host\'s own config (guarded dir, else the config dir), only under the rules of guarded\n' +
    '  autostart, read now: every peer of every DRBD resource of NAME connected and Secondary, the disk here\n' +
    '  UpToDate, this host not draining or in maintenance, xl list here not showing NAME. Anything less refuses and\n' +
    '  starts nothing: ask again once DRBD has settled. The ledger then records NAME as a visitor (or, this being its\n' +
    '  home, ends its away record).\n' +
    'Exit 0: NAME runs here; 77 XH_ERR_REFUSED: the DRBD rules (or a running copy) forbid the start, nothing done;\n' +
    '70 XH_ERR_TOOL_FAILED: xl create failed, the resources are demoted again; 1 XH_ERR_NOT_FOUND: no config for NAME\n' +
    'here; 86: NAME runs here but the ledger could not record it; 81 locked; 64 wrong arguments.',
  run,
};

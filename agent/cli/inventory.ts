import { z } from 'zod';
import { parseArgv } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError, type Command } from '../../shared/cli/program.js';
import { exitCodeFor, isErrorCode } from '../../shared/errors.js';
import { runTool } from '../adapters/exec.js';
import { hostFiles } from '../adapters/host-files.js';
import { collectInventory } from '../inventory/collect.js';
import { DEFAULT_GUARDED_DIR } from '../host/guarded-configs.js';
import { renderInventoryText } from '../inventory/render-text.js';

const BIN = 'xenherd-agent';

const OptionsSchema = z
  .object({
    json: z.literal(true).optional(),
    'guarded-dir': z.string().startsWith('/', 'must be an absolute path, e.g. /etc/xen/drbd-auto').optional(),
    toolstack: z.enum(['xl', 'xm'], 'must be "xl" or "xm"').optional(),
  })
  .strict();

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgv(argv, [
    { name: 'json', takesValue: false },
    { name: 'guarded-dir', takesValue: true },
    { name: 'toolstack', takesValue: true },
  ]);
  if (!parsed.ok) return reportError(BIN, parsed.error, io);
  if (parsed.value.positionals.length > 0) {
    return reportError(BIN, { code: 'XH_ERR_USAGE', message: `inventory takes no arguments, got ${JSON.stringify(parsed.value.positionals[0])}` }, io);
  }
  const opts = OptionsSchema.safeParse(parsed.value.options);
  if (!opts.success) {
    const issue = opts.error.issues[0];
    return reportError(BIN, { code: 'XH_ERR_USAGE', message: `--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}` }, io);
  }
  const root = io.env['XENHERD_HOST_ROOT'] ?? '/';
  const inv = await collectInventory({
    run: runTool,
    files: hostFiles(root),
    guardedDir: opts.data['guarded-dir'] ?? DEFAULT_GUARDED_DIR,
    guardedDirExplicit: opts.data['guarded-dir'] !== undefined,
    ...(opts.data.toolstack ? { toolstack: opts.data.toolstack } : {}),
  });
  io.stdout(opts.data.json ? `${JSON.stringify(inv, null, 2)}\n` : renderInventoryText(inv));
  // Problems are in the output too; stderr repeats them for a person and the exit code says
  // "this read is incomplete" so a script does not act on it.
  for (const p of inv.problems) io.stderr(`${BIN}: ${p.code}: ${p.source}: ${p.message}\n`);
  const first = inv.problems[0];
  return first === undefined ? 0 : exitCodeFor(isErrorCode(first.code) ? first.code : 'XH_ERR_INTERNAL');
}

export const inventoryCommand: Command = {
  name: 'inventory',
  summary: 'Read this Dom0 once: toolstack, memory, domains, guarded domUs and their DRBD state.',
  usage:
    'inventory [--json] [--guarded-dir DIR] [--toolstack xl|xm]\n' +
    `  --json          print JSON (schema version 1, see shared/inventory.ts) instead of a table\n` +
    `  --guarded-dir   the guarded-autostart config dir (default ${DEFAULT_GUARDED_DIR})\n` +
    '  --toolstack     use xl or xm instead of detecting it\n' +
    'Exit 0 when everything was read; otherwise the exit code of the first problem (all are listed).',
  run,
};

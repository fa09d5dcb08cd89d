import * as z from 'zod';
import { parseArgv } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError, type Command } from '../../shared/cli/program.js';
import { exitCodeFor } from '../../shared/errors.js';
import { ToolstackKindSchema } from '../../shared/inventory.js';
import { runTool } from '../adapters/exec.js';
import { loadAgentConfig } from '../config/resolve.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';
import { hostFiles } from '../host/files.js';
import { collectInventory } from '../inventory/collect.js';
import { renderInventoryText } from '../inventory/render-text.js';
import { AGENT_COMMAND_HELP } from './help.js';
import { jsonLine, printableLines } from '../../shared/text/printable.js';

const BIN = 'xenherd-agent';

const OptionsSchema = z.strictObject({
  json: z.literal(true).optional(),
  config: z.string('must name the agent config file, e.g. /etc/xenherd/agent.json').optional(),
  'guarded-dir': z.string('must be an absolute path, e.g. /etc/xen/drbd-auto').startsWith('/', 'must be an absolute path, e.g. /etc/xen/drbd-auto').optional(),
  toolstack: z.enum(ToolstackKindSchema.options, 'must be "xl" or "xm"').optional(),
});

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgv(argv, [
    { name: 'json', takesValue: false },
    { name: 'config', takesValue: true },
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
  // the daemon's own settings, so this shows what the daemon sees; the command line still wins
  const loaded = loadAgentConfig(opts.data.config, root);
  if (!loaded.ok) return reportError(BIN, loaded.error, io);
  const config = {
    ...loaded.value.config,
    guardedDir: opts.data['guarded-dir'] ?? loaded.value.config.guardedDir,
    toolstack: opts.data.toolstack ?? loaded.value.config.toolstack,
  };
  const inv = await collectInventory({
    run: runTool,
    files: hostFiles(root),
    config,
    // a config file given by path is named as typed; the default one by its host path
    configFile: loaded.value.file === null ? null : (opts.data.config ?? DEFAULT_CONFIG_PATH),
    guardedDirExplicit: opts.data['guarded-dir'] !== undefined,
  });
  io.stdout(opts.data.json ? jsonLine(inv, 2) : renderInventoryText(inv));
  // Problems are in the output too; stderr repeats them for a person and the exit code says
  // "this read is incomplete" so a script does not act on it.
  // a guarded file's name is whatever bytes readdir gives, and a tool's error quotes its output
  for (const p of inv.problems) io.stderr(`${BIN}: ${p.code}: ${printableLines(`${p.source}: ${p.message}`)}\n`);
  const first = inv.problems[0];
  return first === undefined ? 0 : exitCodeFor(first.code);
}

export const inventoryCommand: Command = { ...AGENT_COMMAND_HELP.inventory, run };

import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { CliIo } from '../../shared/cli/io.js';
import { runTool, type ToolRunner } from '../adapters/exec.js';
import { hostFiles, type HostFiles } from '../host/files.js';
import { ledgerStore, type LedgerStore } from '../adapters/ledger-store.js';
import { describeRepair, openStateDir } from '../../shared/fs/private-dir.js';
import { openToolstack, type Toolstack } from '../adapters/toolstack.js';
import { loadAgentConfig } from '../config/resolve.js';
import type { AgentConfig } from '../config/schema.js';
import { underRoot } from '../host/paths.js';
import { tellWriteFailed } from '../control/nudge.js';

/** Everything a migration command needs about this Dom0, opened once per command. */
export interface HostContext {
  readonly root: string;
  readonly config: AgentConfig;
  readonly files: HostFiles;
  readonly run: ToolRunner;
  readonly toolstack: Toolstack;
  /** this Dom0's name as the toolstack reports it (`xl info` host) */
  readonly host: string;
  readonly stateDirReal: string;
  readonly store: LedgerStore;
  /** a host path as a real path (under XENHERD_HOST_ROOT) */
  readonly real: (hostPath: string) => string;
}

/**
 * COMMAND (`xenherd-agent migrate`) names the CLI command in what the running agent is told of a ledger write a full or
 * read-only filesystem refused (its report then says which write failed, not its test write).
 */
export async function openHost(io: CliIo, configPath: string | undefined, command = 'a xenherd-agent command'): Promise<Result<HostContext, XhError>> {
  const root = io.env['XENHERD_HOST_ROOT'] ?? '/';
  const loaded = loadAgentConfig(configPath, root);
  if (!loaded.ok) return loaded;
  const config = loaded.value.config;
  const ts = await openToolstack({ run: runTool, ...(config.toolstack ? { preferred: config.toolstack } : {}) });
  if (!ts.ok) return ts;
  const info = await ts.value.info();
  if (!info.ok) return info;
  const host = info.value.host;
  if (!host) return err({ code: 'XH_ERR_TOOL_OUTPUT', message: `${ts.value.kind} info printed no host name` });
  const stateDirReal = underRoot(root, config.stateDir);
  const dir = openStateDir(stateDirReal);
  if (!dir.ok) return err(dir.error);
  for (const r of dir.value.repairs) io.stderr(`xenherd-agent: ${describeRepair(r)}\n`);
  return ok({ root, config, files: hostFiles(root), run: runTool, toolstack: ts.value, host, stateDirReal, store: ledgerStore(stateDirReal, host, (m) => io.stderr(`xenherd-agent: warning: ${m}\n`), (what) => tellWriteFailed(underRoot(root, config.controlSocket), 'state', `${command}'s write of ${what}`)), real: (p) => underRoot(root, p) });
}

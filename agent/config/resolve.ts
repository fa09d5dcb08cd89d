import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../../shared/result.js';
import { defaultAgentConfig, parseAgentConfig, type ConfigError } from './load.js';
import { DEFAULT_CONFIG_PATH, type AgentConfig } from './schema.js';
import { underRoot } from '../run/host-paths.js';

/**
 * Which config applies: `--config PATH` (a path as the operator typed it; must exist), else
 * /etc/xenherd/agent.json on this host (under XENHERD_HOST_ROOT), else the defaults.
 */
export interface ResolvedConfig {
  readonly config: AgentConfig;
  /** the file read, or null when the defaults apply */
  readonly file: string | null;
}

export function loadAgentConfig(explicit: string | undefined, root: string): Result<ResolvedConfig, ConfigError> {
  const file = explicit ?? underRoot(root, DEFAULT_CONFIG_PATH);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && explicit === undefined) return ok({ config: defaultAgentConfig(), file: null });
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    return err({ code: 'XH_ERR_CONFIG', message: `${file}: ${why}: give an existing file to --config, or leave --config out to use ${DEFAULT_CONFIG_PATH}` });
  }
  const parsed = parseAgentConfig(text, file);
  return parsed.ok ? ok({ config: parsed.value, file }) : parsed;
}

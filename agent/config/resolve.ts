import { lstatSync, readlinkSync } from 'node:fs';
import { err, ok, type Result } from '../../shared/result.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { defaultAgentConfig, parseAgentConfig, type ConfigError } from './load.js';
import { DEFAULT_CONFIG_PATH, type AgentConfig } from './schema.js';
import { underRoot } from '../host/paths.js';

/**
 * Which config applies: `--config PATH` (a path as the operator typed it; must exist), else
 * /etc/xenherd/agent.json on this host (under XENHERD_HOST_ROOT), else the defaults.
 * Read with the safe reader: a regular file (a symlink to one is fine: packaging may link it),
 * never blocking (a FIFO given as the config once hung the agent), at most 1 MiB.
 */
export interface ResolvedConfig {
  readonly config: AgentConfig;
  /** the file read, or null when the defaults apply */
  readonly file: string | null;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** FILE's target when FILE is a symbolic link (to something missing, as the caller knows); else null */
function danglingLinkTarget(file: string): string | null {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : null;
  } catch {
    return null;
  }
}

export function loadAgentConfig(explicit: string | undefined, root: string): Result<ResolvedConfig, ConfigError> {
  if (explicit === '') return err({ code: 'XH_ERR_CONFIG', message: `--config was given an empty path: give the agent config's path, or leave --config out to use ${DEFAULT_CONFIG_PATH}` });
  const file = explicit ?? underRoot(root, DEFAULT_CONFIG_PATH);
  const text = readRegularFileSync(file, { symlinks: 'follow', maxBytes: MAX_CONFIG_BYTES });
  if (!text.ok) {
    if (explicit !== undefined) return err({ code: 'XH_ERR_CONFIG', message: `${text.error.message}: give an existing regular file to --config, or leave --config out to use ${DEFAULT_CONFIG_PATH}` });
    if (text.error.errno === 'ENOENT') {
      // a link whose target is gone is not "no config": the operator meant one, and the defaults would drop it silently
      const target = danglingLinkTarget(file);
      if (target === null) return ok({ config: defaultAgentConfig(), file: null });
      return err({ code: 'XH_ERR_CONFIG', message: `${file}: a symbolic link to ${target}, which does not exist: point it at the agent's config, or remove it to run on the defaults` });
    }
    return err({ code: 'XH_ERR_CONFIG', message: `${text.error.message}: make it a regular file holding the agent's config (or remove it to run on the defaults), or give another file with --config` });
  }
  // the decoder put U+FFFD for bytes that are not UTF-8: a path read so would name another file
  const notUtf8 = text.value.indexOf('\ufffd');
  if (notUtf8 >= 0) {
    const line = text.value.slice(0, notUtf8).split('\n').length;
    return err({ code: 'XH_ERR_CONFIG', message: `${file}: line ${line}: bytes that are not UTF-8: save the file as UTF-8 (paths and names in it are read as UTF-8)` });
  }
  const parsed = parseAgentConfig(text.value, file);
  return parsed.ok ? ok({ config: parsed.value, file }) : parsed;
}

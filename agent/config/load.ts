import type * as z from 'zod';
import type { XhError } from '../../shared/errors.js';
import { describeIssue, parseJsonObject } from '../../shared/json-config.js';
import { err, ok, type Result } from '../../shared/result.js';
import { AgentConfigSchema, type AgentConfig } from './schema.js';

export interface ConfigError extends XhError {
  readonly code: 'XH_ERR_CONFIG';
}

const configError = (message: string): ConfigError => ({ code: 'XH_ERR_CONFIG', message });
const EXAMPLE = '{"autostart": {"parallel": 4}}';
/** where an unknown key's message sends the reader */
const HELP = 'README, "xenherd-agent run"';

/** Parses the config text; every problem is reported, each naming its key and the fix. */
export function parseAgentConfig(text: string, file: string): Result<AgentConfig, ConfigError> {
  const raw = parseJsonObject(text, file, EXAMPLE);
  if (!raw.ok) return err(configError(raw.message));
  const parsed = AgentConfigSchema.safeParse(raw.value);
  if (!parsed.success) return err(configError(describeIssues(file, parsed.error.issues)));
  const c = parsed.data;
  if (c.autostart.retryMaxSeconds < c.autostart.retryInitialSeconds) {
    return err(configError(`${file}: key "autostart.retryMaxSeconds": must be at least autostart.retryInitialSeconds (${c.autostart.retryInitialSeconds})`));
  }
  if (c.autostart.deferJitterSeconds >= c.autostart.deferRecheckSeconds) {
    return err(configError(`${file}: key "autostart.deferJitterSeconds": must be less than autostart.deferRecheckSeconds (${c.autostart.deferRecheckSeconds})`));
  }
  return ok(c);
}

export const defaultAgentConfig = (): AgentConfig => AgentConfigSchema.parse({});

/** At most the first ten problems, and how many more: a file of thousands of bad keys must not make a message of megabytes. */
const MAX_ISSUES_SHOWN = 10;
function describeIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => describeIssue(file, i, HELP, AgentConfigSchema)).join('; ');
  return issues.length > MAX_ISSUES_SHOWN ? `${shown}; and ${issues.length - MAX_ISSUES_SHOWN} more problems` : shown;
}

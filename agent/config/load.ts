import type { z } from 'zod';
import type { XhError } from '../../shared/errors.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { err, ok, type Result } from '../../shared/result.js';
import { AgentConfigSchema, type AgentConfig } from './schema.js';

export interface ConfigError extends XhError {
  readonly code: 'XH_ERR_CONFIG';
}

const configError = (message: string): ConfigError => ({ code: 'XH_ERR_CONFIG', message });

/** One zod issue as "FILE: key a.b: what is wrong and how to fix it". */
function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = key === '' ? '' : `${key}.`;
    return `${file}: unknown key ${issue.keys.map((k) => `"${where}${k}"`).join(', ')}: remove it or fix its spelling (see README, "xenherd-agent run")`;
  }
  return `${file}: key "${key || '(top level)'}": ${issue.message}`;
}

/** Parses the config text; every problem is reported, each naming its key and the fix. */
export function parseAgentConfig(text: string, file: string): Result<AgentConfig, ConfigError> {
  let raw: unknown;
  const json = withoutByteOrderMark(text);
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return err(configError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}): fix the syntax, e.g. {"autostart": {"parallel": 4}}`));
  }
  // JSON.parse would quietly take the last of the two
  const twice = findDuplicateKey(json);
  if (twice !== null) return err(configError(`${duplicateKeyText(file, twice)}: keep one`));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err(configError(`${file}: must be a JSON object, e.g. {"autostart": {"parallel": 4}}`));
  }
  const parsed = AgentConfigSchema.safeParse(raw);
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
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => describeIssue(file, i)).join('; ');
  return issues.length > MAX_ISSUES_SHOWN ? `${shown}; and ${issues.length - MAX_ISSUES_SHOWN} more problems` : shown;
}

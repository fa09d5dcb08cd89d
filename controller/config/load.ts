import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ControllerSettings } from '../core/settings.js';
import type { JobSettings } from '../jobs/settings.js';
import { describeIssues, parseJsonObject } from '../../shared/json-config.js';
import { ControllerConfigSchema, type ControllerConfig } from './schema.js';

const EXAMPLE = '{"tls": {"cert": "/etc/xenherd/tls/server.crt", "key": "/etc/xenherd/tls/server.key"}, "stateDir": "/var/lib/xenherd-controller"}';

/** The config file's text checked; every problem reported, each naming its key and the fix. */
export function parseControllerConfig(text: string, file: string): Result<ControllerConfig, XhError> {
  const raw = parseJsonObject(text, file, EXAMPLE);
  if (!raw.ok) return err({ code: 'XH_ERR_CONFIG', message: raw.message });
  const parsed = ControllerConfigSchema.safeParse(raw.value);
  if (!parsed.success) return err({ code: 'XH_ERR_CONFIG', message: describeIssues(file, parsed.error.issues, 'README, "The controller and xenherdctl"', ControllerConfigSchema) });
  return ok(parsed.data);
}

export const settingsOf = (c: ControllerConfig): Partial<ControllerSettings> => ({
  heartbeatMs: Math.round(c.heartbeatSeconds * 1000),
  staleAfterMs: Math.round(c.staleAfterSeconds * 1000),
  commandTimeoutMs: Math.round(c.commandTimeoutSeconds * 1000),
  maxMessageBytes: c.maxMessageBytes,
});

/** The migration limits and least time budgets of orchestration jobs, from the config's `migrations`. */
export const jobSettingsOf = (c: ControllerConfig): Partial<JobSettings> => ({
  limits: { perSource: c.migrations.maxPerSource, perTarget: c.migrations.maxPerTarget, global: c.migrations.maxInFleet },
  maxAttempts: c.migrations.attempts,
  reserveMiB: c.migrations.reserveMiB,
  minProgressTimeoutMs: c.migrations.stuckAfterSeconds * 1000,
  minCompletionMs: c.migrations.minDeadlineSeconds * 1000,
});

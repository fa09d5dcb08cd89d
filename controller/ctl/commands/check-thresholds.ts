import type { ParsedArgv } from '../../../shared/cli/argv.js';
import type { XhError } from '../../../shared/errors.js';
import { CheckThresholdsSchema, DEFAULT_CHECK_THRESHOLDS, MAX_THRESHOLD_MS, type CheckThresholds } from '../../../shared/protocol/ctl-check.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { bareNumberProblem, parseDuration } from '../duration.js';
import { optionValue } from '../options.js';

/** check's duration options and the threshold each sets. */
export const CHECK_OPTIONS: ReadonlyArray<readonly [string, keyof CheckThresholds]> = [
  ['warn-deferred', 'warnDeferredMs'],
  ['crit-deferred', 'critDeferredMs'],
  ['not-home-after', 'notHomeAfterMs'],
  ['maintenance-warn', 'maintenanceWarnMs'],
];

/** Options whose 0 means never: `off` says it, and a bare `0` is taken (no unit makes 0 ambiguous). */
const MAY_BE_OFF: ReadonlySet<string> = new Set(['maintenance-warn']);

/**
 * Thresholds a controller older than them refuses (an unknown query parameter): asked for only when
 * given, so that a check without them still passes on such a controller (it judges by its own).
 */
const SENT_WHEN_GIVEN: ReadonlySet<keyof CheckThresholds> = new Set(['maintenanceWarnMs']);

/** The thresholds check asks the controller for: every one but those a controller may not know and the command line left out. */
export const askedThresholds = (args: ParsedArgv): Array<keyof CheckThresholds> =>
  CHECK_OPTIONS.filter(([option, key]) => !SENT_WHEN_GIVEN.has(key) || optionValue(args, option) !== undefined).map(([, key]) => key);

// Above MAX_THRESHOLD_MS the controller's query would refuse it (or, beyond 2^53, it would not
// even be an exact number): refused here first, in the option's own terms.
const MAX_DAYS = Math.floor(MAX_THRESHOLD_MS / 86_400_000);

/** The thresholds from the command line, defaults for those not given; every error names the option given. */
export function thresholdsOf(args: ParsedArgv): Result<CheckThresholds, XhError> {
  const t: Record<string, number> = { ...DEFAULT_CHECK_THRESHOLDS };
  const given: string[] = [];
  for (const [option, key] of CHECK_OPTIONS) {
    const text = optionValue(args, option);
    if (text === undefined) continue;
    if (MAY_BE_OFF.has(option) && (text === 'off' || text === '0')) {
      t[key] = 0;
      given.push(`--${option}`);
      continue;
    }
    const bare = bareNumberProblem(option, text);
    if (bare !== null) return err({ code: 'XH_ERR_USAGE', message: bare });
    const ms = parseDuration(text);
    if (ms === null) return err({ code: 'XH_ERR_USAGE', message: `--${option} ${JSON.stringify(text)} is not a duration (e.g. 90s, 15m, 1h)` });
    if (!Number.isSafeInteger(ms) || ms > MAX_THRESHOLD_MS) {
      return err({ code: 'XH_ERR_USAGE', message: `--${option} ${JSON.stringify(text)} is out of range: give a duration from 0 to ${MAX_DAYS}d` });
    }
    t[key] = ms;
    given.push(`--${option}`);
  }
  // each value is in range now: what is left is warn above crit, named as given or defaulted
  const parsed = CheckThresholdsSchema.safeParse(t);
  if (parsed.success) return ok(parsed.data);
  const pair = ['--warn-deferred', '--crit-deferred'].map((o) => (given.includes(o) ? o : `${o} (default)`)).join(', ');
  return err({ code: 'XH_ERR_USAGE', message: `${parsed.error.issues[0]?.message ?? 'bad thresholds'} (${pair})` });
}

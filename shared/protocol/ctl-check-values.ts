import type { CheckStatus, CheckThresholds } from './ctl-check.js';

/**
 * The plain values of the monitoring verdict (ctl-check.ts exports them too): kept apart from its
 * schemas, so that what needs only these (xenherdctl's UNKNOWN line for a crash, check's --help)
 * builds none of them.
 */

/** The exit code of each status: what Nagios, Icinga and their kin read from a plugin. */
export const CHECK_EXIT: Readonly<Record<CheckStatus, number>> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** How bad each status is, to pick the worst: UNKNOWN ranks below CRITICAL, as Nagios ranks them. */
export const CHECK_SEVERITY: Readonly<Record<CheckStatus, number>> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

export const DEFAULT_CHECK_THRESHOLDS: CheckThresholds = { warnDeferredMs: 5 * 60_000, critDeferredMs: 15 * 60_000, notHomeAfterMs: 30 * 60_000 };

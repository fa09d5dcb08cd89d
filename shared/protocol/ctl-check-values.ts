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

/**
 * maintenanceWarnMs: 12 h. A maintenance day's planned work (a roll, a drain for a repair and its
 * restore) is over within it without a word, and a host forgotten at its end is said by the next
 * morning. A host parked for days is said too: its domUs run away from home meanwhile, with less
 * room and, on a DRBD pair, one copy of their disks; an operator parking hosts for long sets it
 * longer, or off.
 */
export const DEFAULT_CHECK_THRESHOLDS: CheckThresholds = { warnDeferredMs: 5 * 60_000, critDeferredMs: 15 * 60_000, notHomeAfterMs: 30 * 60_000, maintenanceWarnMs: 12 * 3_600_000 };

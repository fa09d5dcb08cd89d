import * as z from 'zod';
import { MsSchema as Ms, WordSchema } from './ctl-api-base.js';
import { DEFAULT_CHECK_THRESHOLDS } from './ctl-check-values.js';

export { CHECK_EXIT, CHECK_SEVERITY, DEFAULT_CHECK_THRESHOLDS } from './ctl-check-values.js';

/**
 * The monitoring verdict of the operator API (beside ctl-api.ts), in the terms of a Nagios
 * plugin: the controller judges its fleet view, `xenherdctl check` only prints the verdict and
 * exits with its code.
 *
 *   GET /v1/check?warnDeferredMs=N&critDeferredMs=N&notHomeAfterMs=N&maintenanceWarnMs=N   CheckAnswer  (role read)
 *
 * A threshold left out takes its default (DEFAULT_CHECK_THRESHOLDS, in ctl-check-values.ts).
 * maintenanceWarnMs came later: a controller older than it refuses it as an unknown parameter and
 * answers without it, so xenherdctl sends it only when asked to (check-thresholds.ts).
 */

export const CheckStatusSchema = z.enum(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

const THRESHOLDS = {
  /** a guarded domU deferred this long (and running nowhere) is a WARNING */
  warnDeferredMs: Ms,
  /** ... and this long a CRITICAL */
  critDeferredMs: Ms,
  /** a domU away from its online home is a WARNING, and CRITICAL once the home has been online (or the domU away) this long */
  notHomeAfterMs: Ms,
  /** a reachable host in maintenance this long with no job on it is a WARNING (maintenance-long.ts); 0: never */
  maintenanceWarnMs: Ms,
};

export const CheckThresholdsSchema = z.strictObject(THRESHOLDS)
  .refine((t) => t.warnDeferredMs <= t.critDeferredMs, 'the deferred WARNING threshold must not be above the CRITICAL one');
export type CheckThresholds = z.infer<typeof CheckThresholdsSchema>;

/** The largest threshold a query takes: 15 digits of milliseconds (exact as a number, about 31,700 years). */
export const MAX_THRESHOLD_MS = 10 ** 15 - 1;
/** Query parameters are text: digits only (at most MAX_THRESHOLD_MS), then the same checks as the schema. */
const MsParam = z.string().regex(/^\d{1,15}$/, 'milliseconds, digits only').transform(Number);
export const CheckQuerySchema = z.strictObject({ warnDeferredMs: MsParam.optional(), critDeferredMs: MsParam.optional(), notHomeAfterMs: MsParam.optional(), maintenanceWarnMs: MsParam.optional() })
  .transform((q) => ({ ...DEFAULT_CHECK_THRESHOLDS, ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) }))
  .pipe(CheckThresholdsSchema);

/** Units of measurement xenherd uses in perfdata: none (a count) and seconds. */
export const PerfUnitSchema = z.enum(['', 's']);
/**
 * A unit as a perfdatum carries it: any the Monitoring Plugins guidelines allow, so a newer
 * controller's datum in another unit (a percentage, bytes) is passed on as sent, not the whole
 * check answer refused as UNKNOWN; none outside that list, which a monitoring system would misread.
 */
const PerfUnitReadSchema = z.enum(['', 's', 'ms', 'us', '%', 'B', 'KB', 'MB', 'GB', 'TB', 'c']);

/**
 * One performance datum: 'label'=value[UOM];[warn];[crit];[min];[max]. warn and crit are ranges as
 * monitoring systems read them: "300" alerts above 300 (or below 0).
 */
export const PerfdatumSchema = z.strictObject({
  label: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a perfdata label'),
  value: z.number().finite(),
  uom: PerfUnitReadSchema,
  warn: z.string().regex(/^[0-9.:~@-]{1,32}$/).nullable(),
  crit: z.string().regex(/^[0-9.:~@-]{1,32}$/).nullable(),
  min: z.number().finite().nullable(),
  max: z.number().finite().nullable(),
});
export type Perfdatum = z.infer<typeof PerfdatumSchema>;

/**
 * One problem found, worst first; OK lines are not listed. `kind` (ctl-check-kinds.ts) and
 * `subject` (the host, domU or resource) let xenherdctl fold many of a kind into one line; a
 * controller older than them leaves them out. Any lower-case word is read as a kind: a newer
 * controller's kind is still counted. `waitsFor`: the unreachable Dom0 this problem only waits
 * for (a DRBD resource whose peer it is), so xenherdctl says those once per Dom0; an older
 * controller leaves it out, and every problem is then a line of its own as before.
 */
/** The longest text of a problem (and the status line) an answer carries: xenherdctl refuses a longer one. */
export const CHECK_TEXT_MAX = 4000;

export const CheckDetailSchema = z.strictObject({
  status: CheckStatusSchema,
  text: z.string().max(CHECK_TEXT_MAX),
  kind: WordSchema.optional(),
  subject: z.string().max(4000).optional(),
  waitsFor: z.string().max(4000).optional(),
  /**
   * without `waitsFor`: the unreachable Dom0s this problem only waits for, two or more, none of
   * them named by its words (a DRBD 9 resource cut from each), so xenherdctl says those once per
   * set of Dom0s as it does per Dom0. Absent: one Dom0 or none (or an older controller)
   */
  waitsForAll: z.array(z.string().max(4000)).min(2).max(10_000).optional(),
  /**
   * with `waitsFor`: no Dom0 heard now writes this resource (that Dom0 held it Primary when last
   * heard, or has not reported since the controller started and the domUs on it run on no Dom0
   * that reports), so if that Dom0 is down these domUs are down with it (none named: what used it
   * there); xenherdctl then does not say the Dom0's waiting problems clear once it is back. Absent:
   * it only waits (or an older controller)
   */
  mayBeDown: z.array(z.string().max(4000)).max(10_000).optional(),
  /**
   * with `waitsFor` (or `waitsForAll`: each of them): that Dom0 has not reported since the controller started, which is still in its
   * start-up grace, so xenherdctl says "not reported yet" of it, as `status` and `hosts` do, not
   * "unreachable". Absent: unreachable (or an older controller)
   */
  notReportedYet: z.literal(true).optional(),
});
export type CheckDetail = z.infer<typeof CheckDetailSchema>;

export const CheckAnswerSchema = z.strictObject({
  at: Ms,
  status: CheckStatusSchema,
  /** the status line's text after "XENHERD STATUS - " */
  summary: z.string().max(CHECK_TEXT_MAX),
  details: z.array(CheckDetailSchema),
  perfdata: z.array(PerfdatumSchema),
  /** what the controller judged by; a controller older than maintenanceWarnMs leaves it out */
  thresholds: z.strictObject({ ...THRESHOLDS, maintenanceWarnMs: Ms.optional() }),
});
export type CheckAnswer = z.infer<typeof CheckAnswerSchema>;

import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { Freshness, HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import type { ServerCertificate } from '../../../controller/fleet/server-certificate.js';
import type { FinishedJob } from '../../../shared/protocol/ctl-jobs.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer, type CheckThresholds } from '../../../shared/protocol/ctl-check.js';

export interface CheckOptions {
  readonly fresh: Freshness;
  /** over DEFAULT_CHECK_THRESHOLDS */
  readonly thresholds?: Partial<CheckThresholds>;
  /** the hosts a job of the controller works on (a drain, a restore); none when absent */
  readonly jobHosts?: readonly string[];
  /** the controller's own TLS certificate; absent: it serves plain HTTP */
  readonly certificate?: ServerCertificate | undefined;
  /** the jobs the controller ran that ended, newest first; none when absent */
  readonly ended?: readonly FinishedJob[];
}

/**
 * The check verdict over RECORDS as the controller gives it: the records merged into the fleet
 * view, its alerts raised, the verdict judged and read back through the answer's wire schema.
 */
export function checkOf(records: HostRecord[], o: CheckOptions): CheckAnswer {
  const m = mergeFleet(records, o.fresh);
  const alerts = mergedStatus(m, o.fresh).alerts;
  return CheckAnswerSchema.parse(checkFleet(m.index, alerts, o.fresh, { ...DEFAULT_CHECK_THRESHOLDS, ...o.thresholds }, new Set(o.jobHosts), undefined, o.certificate, undefined, o.ended));
}

/** checkOf at FRESH with DEFAULTS, each call's options over them. */
export const checkAt =
  (fresh: Freshness, defaults: Omit<CheckOptions, 'fresh'> = {}) =>
  (records: HostRecord[], o: Partial<CheckOptions> = {}): CheckAnswer =>
    checkOf(records, { fresh, ...defaults, ...o });

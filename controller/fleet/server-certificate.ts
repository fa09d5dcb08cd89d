import type { Perfdatum } from '../../shared/protocol/ctl-check.js';
import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { CheckProblem } from './check-conditions.js';

/**
 * The certificate `serve` presents to agents and xenherdctl, as the edge read it from its TLS
 * files (controller/cli/served-certificate.ts): all the verdict needs, no file, no parsing.
 */
export interface ServerCertificate {
  /** its notAfter, ms since the epoch: valid through that moment, refused after it */
  readonly notAfter: number;
  /** the host names and IP addresses it names */
  readonly names: readonly string[];
  /** how this controller's operator renews it, e.g. "xenherd-controller renew-cert, then systemctl restart xenherd-controller" */
  readonly renew: string;
}

const DAY = 86_400_000;
/** this close to its end the certificate is a WARNING: a month to plan a restart */
export const CERT_WARN_MS = 30 * DAY;
/** ... and this close, or past it, CRITICAL */
export const CERT_CRIT_MS = 7 * DAY;

/** How long C has left at NOW (negative: expired that long ago). */
export const certificateLeftMs = (c: ServerCertificate, now: number): number => c.notAfter - now;

/**
 * The certificate judged on the controller's clock: nothing while more than CERT_WARN_MS is left,
 * a WARNING within it, CRITICAL within CERT_CRIT_MS and once expired. Every agent and xenherdctl
 * refuses an expired certificate, all at once, so the words say when and how to renew it.
 */
export function certificateProblem(c: ServerCertificate, now: number): CheckProblem | null {
  const left = certificateLeftMs(c, now);
  if (left > CERT_WARN_MS) return null;
  const date = utcMinuteText(c.notAfter);
  if (left < 0) {
    return { status: 'CRITICAL', kind: 'controller-certificate', subject: 'controller certificate', short: 'controller certificate expired', text: `the controller's TLS certificate expired on ${date}: agents and xenherdctl refuse it; renew it: ${c.renew}` };
  }
  return {
    status: left <= CERT_CRIT_MS ? 'CRITICAL' : 'WARNING',
    kind: 'controller-certificate',
    subject: 'controller certificate',
    short: `controller certificate expires in ${spanText(left)}`,
    text: `the controller's TLS certificate expires on ${date}, in ${spanText(left)}: from then on agents and xenherdctl refuse it; renew it: ${c.renew}`,
  };
}

/** The certificate's time left as perfdata, alerting below the thresholds ("N:" in a Nagios range). */
export const certificatePerfdatum = (c: ServerCertificate, now: number): Perfdatum => ({
  label: 'cert_expires_in_s',
  value: Math.floor(certificateLeftMs(c, now) / 1000),
  uom: 's',
  warn: `${CERT_WARN_MS / 1000}:`,
  crit: `${CERT_CRIT_MS / 1000}:`,
  min: null,
  max: null,
});

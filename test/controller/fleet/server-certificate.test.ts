import { describe, expect, it } from 'vitest';
import { CERT_CRIT_MS, CERT_WARN_MS, certificateProblem, type ServerCertificate } from '../../../controller/fleet/server-certificate.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { dom, hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// The certificate serve presents, judged on an injected clock: nothing until 30 days before its
// end, a WARNING from then, CRITICAL from 7 days before and once it expired; in `check` and its
// perfdata beside the fleet's own problems.
const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const RENEW = 'xenherd-controller renew-cert, then systemctl restart xenherd-controller';
const cert = (leftMs: number): ServerCertificate => ({ notAfter: NOW + leftMs, names: ['ctl.example', '127.0.0.1'], renew: RENEW });
const statusAt = (leftMs: number): string => certificateProblem(cert(leftMs), NOW)?.status ?? 'OK';

const check = checkAt({ now: NOW, staleAfterMs: 15_000 });
const healthy = (): HostRecord[] => [{ ...record('xen1', hostState({ domains: [dom('web1')] }), NOW), maintenanceSince: { state: 'online', since: NOW - DAY } }];

describe("the controller's certificate, judged on the controller's clock", () => {
  it('the thresholds are 30 and 7 days', () => {
    expect([CERT_WARN_MS, CERT_CRIT_MS]).toEqual([30 * DAY, 7 * DAY]);
  });

  it('OK above 30 days left, WARNING at 30 days and below, CRITICAL at 7 days and below', () => {
    expect(statusAt(365 * DAY)).toBe('OK');
    expect(statusAt(30 * DAY + 1)).toBe('OK');
    expect(statusAt(30 * DAY)).toBe('WARNING');
    expect(statusAt(7 * DAY + 1)).toBe('WARNING');
    expect(statusAt(7 * DAY)).toBe('CRITICAL');
    expect(statusAt(1)).toBe('CRITICAL');
  });

  it('valid through its notAfter, expired a millisecond after: CRITICAL either way, in other words', () => {
    expect(certificateProblem(cert(0), NOW)).toMatchObject({ status: 'CRITICAL', short: 'controller certificate expires in 0 s' });
    expect(certificateProblem(cert(-1), NOW)).toEqual({
      status: 'CRITICAL',
      kind: 'controller-certificate',
      subject: 'controller certificate',
      short: 'controller certificate expired',
      text: `the controller's TLS certificate expired on 2023-11-14 22:13 UTC: agents and xenherdctl refuse it; renew it: ${RENEW}`,
    });
  });

  it('the words name the date, the time left and how to renew it', () => {
    expect(certificateProblem(cert(20 * DAY), NOW)).toEqual({
      status: 'WARNING',
      kind: 'controller-certificate',
      subject: 'controller certificate',
      short: 'controller certificate expires in 20 d',
      text: `the controller's TLS certificate expires on 2023-12-04 22:13 UTC, in 20 d: from then on agents and xenherdctl refuse it; renew it: ${RENEW}`,
    });
  });

  it('the same certificate turns from OK to WARNING to CRITICAL as the clock moves on', () => {
    const c = cert(40 * DAY);
    expect([0, 10, 33, 40, 41].map((d) => certificateProblem(c, NOW + d * DAY + 1)?.status ?? 'OK')).toEqual(['OK', 'WARNING', 'CRITICAL', 'CRITICAL', 'CRITICAL']);
  });
});

describe('in the check verdict', () => {
  it('a healthy fleet with a certificate far from its end: OK, and its time left after every datum older than it', () => {
    const a = check(healthy(), { certificate: cert(100 * DAY) });
    expect(a).toMatchObject({ status: 'OK', details: [] });
    // graphers number the data by place: domus_crashed, domus_down and domus_unknown, newer, come after it, so none moves
    expect(a.perfdata.slice(-5).map((p) => p.label)).toEqual(['hosts_restoring', 'cert_expires_in_s', 'domus_crashed', 'domus_down', 'domus_unknown']);
    expect(a.perfdata.at(-4)).toEqual({ label: 'cert_expires_in_s', value: 100 * 86_400, uom: 's', warn: '2592000:', crit: '604800:', min: null, max: null });
  });

  it('without TLS (no certificate) nothing is said of one, and the perfdata are as they were', () => {
    const a = check(healthy());
    expect(a.status).toBe('OK');
    expect(a.perfdata.map((p) => p.label)).not.toContain('cert_expires_in_s');
  });

  it('near its end: the status and the status line say so, first', () => {
    const a = check(healthy(), { certificate: cert(5 * DAY) });
    expect(a).toMatchObject({ status: 'CRITICAL', summary: 'controller certificate expires in 5 d' });
    expect(a.details).toEqual([{ status: 'CRITICAL', kind: 'controller-certificate', subject: 'controller certificate', text: expect.stringMatching(/^the controller's TLS certificate expires on .*, in 5 d: .*renew it: xenherd-controller renew-cert/) }]);
    const expired = check(healthy(), { certificate: cert(-DAY) });
    expect(expired.perfdata.find((p) => p.label === 'cert_expires_in_s')?.value).toBe(-86_400);
  });

  it('no Dom0 has reported yet: the certificate is said even then, and ranks above UNKNOWN', () => {
    expect(check([], { certificate: cert(100 * DAY) })).toMatchObject({ status: 'UNKNOWN', summary: 'no Dom0 has reported to this controller yet', details: [] });
    expect(check([], { certificate: cert(-DAY) })).toMatchObject({
      status: 'CRITICAL',
      summary: 'no Dom0 has reported to this controller yet; controller certificate expired',
      details: [{ status: 'CRITICAL', text: expect.stringMatching(/expired on/) }],
    });
    expect(check([], { certificate: cert(20 * DAY) }).status).toBe('WARNING');
  });
});

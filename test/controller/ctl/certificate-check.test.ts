import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { realClock } from '../../../shared/clock/real-clock.js';
import { utcMinuteText } from '../../../shared/text/utc-time.js';
import { parsePrometheusText } from '../../helpers/prometheus-text-parser.js';
import { controllerBed, metricsText, xen1ReportingWithCa, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';

// The certificate the controller serves, through the real thing: `init`, `renew-cert --days N`,
// the controller served over TLS on 127.0.0.1 with the core judging the certificate it read, an
// agent reporting, and `xenherdctl check` and GET /metrics asked over that TLS.
const bed = controllerBed();
const DAY = 86_400_000;

/** The controller C with xen1 reporting; what `xenherdctl check` prints and exits with. */
async function check(c: TestController): Promise<{ code: number; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-certcheck-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await xen1ReportingWithCa(c, dir);
  const r = await ctlFor(c, await c.operator('nagios', 'read'))(['check'], { XENHERD_CA: ca });
  expect(r.stderr).toBe('');
  return { code: r.code, lines: r.stdout.trimEnd().split('\n') };
}

/** The notAfter of the certificate C serves, as check writes it. */
const notAfterOf = (c: TestController): string => utcMinuteText(Date.parse(new X509Certificate(readFileSync(join(c.dir, 'tls', 'server.crt'), 'utf8')).validTo));

describe("check and /metrics judge the controller's own certificate", () => {
  it('as init made it (825 days): OK, its time left in the perfdata and in /metrics', async () => {
    const c = await bed.start();
    const r = await check(c);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    const left = Number(/'cert_expires_in_s'=(\d+)s;2592000:;604800:/.exec(r.lines[0] as string)?.[1]);
    expect(Math.abs(left - 825 * 86_400)).toBeLessThan(120);
    const family = parsePrometheusText(await metricsText(c)).find((f) => f.name === 'xenherd_tls_cert_expiry_seconds');
    expect(family?.type).toBe('gauge');
    expect(Math.abs((family?.samples[0]?.value ?? 0) - 825 * 86_400)).toBeLessThan(120);
  });

  it('renewed for 20 days: WARNING, exit 1, naming the date and the renewal command', async () => {
    const c = await bed.start({}, {}, { certDays: 20 });
    const r = await check(c);
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/^XENHERD WARNING - controller certificate expires in 20 d \| /);
    expect(r.lines.slice(1)).toEqual([
      `WARNING: the controller's TLS certificate expires on ${notAfterOf(c)}, in 20 d: from then on agents and xenherdctl refuse it; renew it: xenherd-controller renew-cert --config ${c.config}, then restart xenherd-controller serve`,
    ]);
    const family = parsePrometheusText(await metricsText(c)).find((f) => f.name === 'xenherd_tls_cert_expiry_seconds');
    expect(Math.abs((family?.samples[0]?.value ?? 0) * 1000 - 20 * DAY)).toBeLessThan(120_000);
  });

  it('renewed for 5 days: CRITICAL, exit 2', async () => {
    const c = await bed.start({}, {}, { certDays: 5 });
    const r = await check(c);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/^XENHERD CRITICAL - controller certificate expires in 5 d \| /);
    expect(r.lines[1]).toMatch(/^CRITICAL: the controller's TLS certificate expires on .*, in 5 d: .*renew it: xenherd-controller renew-cert/);
  });

  it("expired by the Nagios host's clock: xenherdctl refuses it, and check says CRITICAL (exit 2) with when and the fix, not UNKNOWN", async () => {
    const c = await bed.start({}, {}, { certDays: 5 });
    const later = { ...realClock, now: () => Date.now() + 6 * DAY };
    const r = await ctlFor(c, await c.operator('nagios', 'read'), { clock: later })(['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const [status, line, ...rest] = r.stdout.split('\n');
    expect(status).toBe(`XENHERD CRITICAL - controller certificate expired on ${notAfterOf(c)}`);
    expect(line).toBe(`CRITICAL: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${new URL(c.url).origin}: "O=xenherd, CN=${/CN=(.*)/.exec(new X509Certificate(readFileSync(join(c.dir, 'tls', 'server.crt'), 'utf8')).subject)?.[1]}" expired on ${notAfterOf(c)} (renew it on the controller: xenherd-controller renew-cert, then restart the controller)`);
    expect(rest).toEqual(['']);
  });
});

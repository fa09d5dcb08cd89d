import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { untrustedBecause } from '../../../controller/ctl/trusted-chain.js';
import { makeCa, makeServerCert, type Issued } from '../../../controller/pki/certificate.js';
import { utcMinuteText } from '../../../shared/text/utc-time.js';
import { ctlFor } from './ctl-bed.js';

// What xenherdctl says when it refuses the controller's certificate: the CA file is blamed only
// when no CA of it signed the certificate. A certificate of the right CA that expired, or that
// names other hosts, gets its own fix. Against real TLS servers on 127.0.0.1 presenting
// certificates made by the controller's own code.
const NOW = Date.now();
const DAY = 86_400_000;
const TOKEN = `xh1.0123456789ab.${'s'.repeat(43)}`;
const CA_FILE_HINT = "XENHERD_CA must be the controller's tls/ca.crt";

/** A TLS server presenting CERT that answers any request with {}; its https URL. */
async function tlsServer(cert: Issued): Promise<string> {
  const srv = createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
  srv.on('tlsClientError', () => undefined);
  return `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

/** xenherdctl ARGV against URL trusting the CA file holding CA. */
async function ctl(url: string, ca: Issued, argv: string[] = ['hosts']) {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-hint-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  return ctlFor(null)(argv, { XENHERD_URL: url, XENHERD_TOKEN: TOKEN, XENHERD_CA: join(dir, 'ca.crt') });
}

describe("xenherdctl's hint for a certificate it refuses", () => {
  const ca = makeCa('xenherd controller CA (ctl)', NOW);

  it('expired: says when, and to renew it on the controller; not that the CA file is wrong', async () => {
    // made 900 days ago for 825: expired 75 days ago
    const old = makeServerCert(ca, ['ctl', '127.0.0.1'], NOW - 900 * DAY);
    const url = await tlsServer(old);
    const expiredOn = utcMinuteText(Date.parse(new X509Certificate(old.certPem).validTo));
    const r = await ctl(url, ca);
    expect(r.code).toBe(87);
    expect(r.stderr).toBe(`xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${url}: "O=xenherd, CN=ctl" expired on ${expiredOn} (renew it on the controller: xenherd-controller renew-cert, then restart the controller)\n`);
  });

  describe('the Nagios plugin: a certificate refused for its time is CRITICAL (exit 2), any other refusal UNKNOWN (exit 3)', () => {
    it('expired: CRITICAL, the status line saying when, the next line the refusal with its fix', async () => {
      const old = makeServerCert(ca, ['ctl', '127.0.0.1'], NOW - 900 * DAY);
      const url = await tlsServer(old);
      const expiredOn = utcMinuteText(Date.parse(new X509Certificate(old.certPem).validTo));
      const check = await ctl(url, ca, ['check']);
      expect(check.stderr).toBe('');
      expect([check.code, check.stdout]).toEqual([
        2,
        `XENHERD CRITICAL - controller certificate expired on ${expiredOn}\nCRITICAL: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${url}: "O=xenherd, CN=ctl" expired on ${expiredOn} (renew it on the controller: xenherd-controller renew-cert, then restart the controller)\n`,
      ]);
      const json = await ctl(url, ca, ['check', '--json']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ status: 'CRITICAL', summary: `controller certificate expired on ${expiredOn}`, details: [{ status: 'CRITICAL', text: expect.stringContaining('xenherd-controller renew-cert') }], error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE' } });
    });

    it('not valid yet: CRITICAL, saying from when, and to compare the clocks', async () => {
      const early = makeServerCert(ca, ['ctl', '127.0.0.1'], NOW + 2 * DAY);
      const url = await tlsServer(early);
      const from = utcMinuteText(Date.parse(new X509Certificate(early.certPem).validFrom));
      const check = await ctl(url, ca, ['check']);
      expect(check.code).toBe(2);
      expect(check.stdout).toBe(`XENHERD CRITICAL - controller certificate not valid before ${from}\nCRITICAL: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${url}: "O=xenherd, CN=ctl" is not valid before ${from} (is this machine's clock right? compare \`date -u\` here and on the controller)\n`);
    });

    it("the CA expired: CRITICAL, naming the CA's end (renew-cert cannot help)", async () => {
      const shortCa = makeCa('short-lived CA', NOW - 10 * DAY, 5);
      const url = await tlsServer(makeServerCert(shortCa, ['127.0.0.1'], NOW - 10 * DAY, 30));
      const check = await ctl(url, shortCa, ['check']);
      expect(check.code).toBe(2);
      expect(check.stdout).toMatch(/^XENHERD CRITICAL - CA of the controller's certificate expired on .*\nCRITICAL: .*"O=xenherd, CN=short-lived CA" expired on .*renew-cert cannot help/);
    });

    it('for other names (expired too), or signed by another CA: UNKNOWN as before', async () => {
      const other = makeCa('xenherd controller CA (elsewhere)', NOW);
      for (const cert of [makeServerCert(ca, ['ctl.example'], NOW - 900 * DAY), makeServerCert(other, ['127.0.0.1'], NOW - 900 * DAY)]) {
        const check = await ctl(await tlsServer(cert), ca, ['check']);
        expect([check.code, check.stdout]).toEqual([3, expect.stringMatching(/^XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE: /)]);
      }
    });
  });

  it('for other names: says which it names, to dial one of them or renew it with this one', async () => {
    const url = await tlsServer(makeServerCert(ca, ['ctl.example', '10.1.2.3', 'fd00::7'], NOW));
    const r = await ctl(url, ca);
    expect(r.code).toBe(87);
    expect(r.stderr).toBe(
      `xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${url}: its certificate "O=xenherd, CN=ctl.example" does not name 127.0.0.1 (it names ctl.example, 10.1.2.3, fd00::7) (use one of those in XENHERD_URL, or renew the certificate on the controller with this one: xenherd-controller renew-cert --name 127.0.0.1, then restart the controller)\n`,
    );
    expect(r.stderr).not.toContain(CA_FILE_HINT);
  });

  it('expired and for other names: the name first (renewing with it cures both)', async () => {
    const url = await tlsServer(makeServerCert(ca, ['ctl.example'], NOW - 900 * DAY));
    const r = await ctl(url, ca);
    expect(r.stderr).toMatch(/does not name 127\.0\.0\.1 \(it names ctl\.example\) \(use that name in XENHERD_URL, or renew the certificate on the controller with this one: xenherd-controller renew-cert --name 127\.0\.0\.1/);
  });

  it('signed by another CA (whatever it names, however old): the CA file is what to fix', async () => {
    const other = makeCa('xenherd controller CA (elsewhere)', NOW);
    for (const cert of [makeServerCert(other, ['127.0.0.1'], NOW), makeServerCert(other, ['ctl.example'], NOW - 900 * DAY)]) {
      const r = await ctl(await tlsServer(cert), ca);
      expect(r.code).toBe(87);
      expect(r.stderr).toMatch(new RegExp(`is not signed by a CA of the CA file \\(its issuer: "O=xenherd, CN=xenherd controller CA \\(elsewhere\\)"\\) \\(the certificate is not trusted: ${CA_FILE_HINT}\\)\\n$`));
    }
  });

  it('each refusal of the chain check carries its own fix', () => {
    const x = (i: Issued): X509Certificate => new X509Certificate(i.certPem);
    const leaf = x(makeServerCert(ca, ['127.0.0.1'], NOW, 30));
    const anchors = [x(ca)];
    expect(untrustedBecause([leaf], anchors, '127.0.0.1', NOW + 31 * DAY)?.fix).toMatch(/^renew it on the controller: xenherd-controller renew-cert/);
    expect(untrustedBecause([leaf], anchors, '127.0.0.1', NOW - 2 * DAY)).toEqual({ message: expect.stringMatching(/is not valid before/), fix: "is this machine's clock right? compare `date -u` here and on the controller", time: { fault: 'not-yet-valid', at: Date.parse(leaf.validFrom), leaf: true } });
    expect(untrustedBecause([leaf], anchors, '127.0.0.1', NOW + 31 * DAY)?.time).toEqual({ fault: 'expired', at: Date.parse(leaf.validTo), leaf: true });
    const shortCa = makeCa('short-lived CA', NOW - 10 * DAY, 5);
    const underIt = x(makeServerCert(shortCa, ['127.0.0.1'], NOW - 10 * DAY, 30));
    expect(untrustedBecause([underIt], [x(shortCa)], '127.0.0.1', NOW)).toEqual({
      message: expect.stringMatching(/^"O=xenherd, CN=short-lived CA" expired on /),
      fix: expect.stringMatching(/^that CA can sign nothing valid any more, so xenherd-controller renew-cert cannot help/),
      time: { fault: 'expired', at: Date.parse(new X509Certificate(shortCa.certPem).validTo), leaf: false },
    });
    expect(untrustedBecause([], anchors, '127.0.0.1', NOW)?.fix).toContain(CA_FILE_HINT);
    // a refusal of the trust or the name is no time fault, whatever the certificate's time
    expect(untrustedBecause([x(makeServerCert(ca, ['ctl.example'], NOW - 900 * DAY))], anchors, '127.0.0.1', NOW)?.time).toBeUndefined();
  });
});

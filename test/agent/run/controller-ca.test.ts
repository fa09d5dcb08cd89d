import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readControllerCa } from '../../../agent/run/controller-ca.js';
import { makeCa } from '../../../controller/pki/certificate.js';

describe("the agent's controller.caFile, read before each connection", () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const withCaFile = (text: string): void => {
    root = mkdtempSync(join(tmpdir(), 'xh-ca-'));
    mkdirSync(join(root, 'etc/xenherd'), { recursive: true });
    writeFileSync(join(root, 'etc/xenherd/controller-ca.crt'), text);
  };

  it("takes the controller's CA certificate as it is", () => {
    const ca = makeCa('xenherd CA', Date.now());
    withCaFile(ca.certPem);
    expect(readControllerCa(root, '/etc/xenherd/controller-ca.crt')).toEqual({ ok: true, value: ca.certPem });
  });

  it('says a file holding no certificate is that, with the fix, instead of letting TLS fail to verify the controller', () => {
    // e.g. the enroll snippet's fingerprint pasted into the file, or the server's key
    withCaFile('DA:2B:7F:00\n');
    const r = readControllerCa(root, '/etc/xenherd/controller-ca.crt');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/^controller\.caFile: \/etc\/xenherd\/controller-ca\.crt holds no PEM certificate/);
    expect(r.error).toMatch(/copy the controller's CA certificate there .*or replace caFile with caFingerprint/);
  });

  it('names the certificate that is broken', () => {
    const ca = makeCa('xenherd CA', Date.now());
    withCaFile(`${ca.certPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    const r = readControllerCa(root, '/etc/xenherd/controller-ca.crt');
    expect(r.ok ? '' : r.error).toMatch(/certificate 2 of 2 is not a valid X\.509 certificate/);
  });

  it('says a missing file is missing', () => {
    root = mkdtempSync(join(tmpdir(), 'xh-ca-'));
    const r = readControllerCa(root, '/etc/xenherd/controller-ca.crt');
    expect(r.ok ? '' : r.error).toMatch(/^controller\.caFile: .*controller-ca\.crt/);
  });
});

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeCa, makeServerCert } from '../../controller/pki/certificate.js';
import { ipBytes } from '../../controller/pki/ip-bytes.js';

const NOW = Date.now();

describe('certificates made by the controller (DER laid out here, keys and signatures by node:crypto)', () => {
  const ca = makeCa('xenherd test CA', NOW);
  const server = makeServerCert(ca, ['ctl.example', 'localhost', '127.0.0.1', '::1', '10.1.2.3'], NOW);

  it('parse as X.509 v3: a CA, and a server certificate it issued, for every name asked', () => {
    const c = new X509Certificate(ca.certPem);
    const s = new X509Certificate(server.certPem);
    expect(c.ca).toBe(true);
    expect(s.ca).toBe(false);
    expect(s.checkIssued(c)).toBe(true);
    expect(s.verify(c.publicKey)).toBe(true);
    expect(s.subjectAltName).toBe('DNS:ctl.example, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.1.2.3');
    expect(s.checkHost('ctl.example')).toBe('ctl.example');
    expect(s.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // valid from a day before: a machine whose clock is behind the controller's still takes it
    for (const cert of [c, s]) expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(NOW - 86_400_000);
    expect(Date.parse(s.validTo)).toBeGreaterThan(NOW + 365 * 86_400_000);
  });

  it('openssl verify accepts the chain (when openssl is installed)', () => {
    const probe = spawnSync('openssl', ['version']);
    if (probe.status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-pki-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'server.pem'), server.certPem);
    const r = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('server.pem: OK');
  });

  it('a TLS handshake trusting only the CA succeeds by name and by IP', async () => {
    const srv = createServer({ cert: server.certPem, key: server.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    onTestFinished(() => void srv.close());
    const port = (srv.address() as AddressInfo).port;
    const get = (servername?: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, ca: ca.certPem, ...(servername ? { servername } : {}) }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    await expect(get()).resolves.toBe('ok');
    await expect(get('ctl.example')).resolves.toBe('ok');
    await expect(get('other.example')).rejects.toThrow(/altnames|Hostname/);
  });

  it('IP address literals to SAN bytes', () => {
    expect(ipBytes('10.0.0.1')?.toString('hex')).toBe('0a000001');
    expect(ipBytes('::1')?.toString('hex')).toBe(`${'0'.repeat(30)}01`);
    expect(ipBytes('fe80::1:2')?.toString('hex')).toBe('fe800000000000000000000000010002');
    expect(ipBytes('::ffff:10.0.0.1')?.toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(ipBytes('ctl.example')).toBeNull();
  });
});

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { initCommand } from '../../../controller/cli/init.js';
import { renewCertCommand } from '../../../controller/cli/renew-cert.js';
import type { ControllerHooks } from '../../../controller/cli/hooks.js';
import { loadConfig } from '../../../controller/cli/common.js';
import { readTlsFiles } from '../../../controller/config/tls-files.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { capture, testHooks } from '../api/controller-bed.js';

// `renew-cert` on the files `init` made: a new server certificate from the same CA for the same
// key, the old names kept, the old one kept as .bak; and every bad input refused with nothing
// on disk changed.
const DAY = 86_400_000;
let root = '';
/** a pristine init, copied for each test that changes it */
let made = '';
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'xenherd-renew-'));
  made = join(root, 'made');
  const r = await capture(initCommand(testHooks()).run, ['--dir', made, '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A copy of the init'ed controller (its config pointing at the copy's own files); its dir. */
function controllerCopy(): string {
  const dir = join(root, `c${++n}`);
  cpSync(made, dir, { recursive: true });
  const config = JSON.parse(readFileSync(join(dir, 'controller.json'), 'utf8').replaceAll(made, dir)) as Record<string, unknown>;
  writeFileSync(join(dir, 'controller.json'), JSON.stringify(config));
  return dir;
}
const withConfig = (dir: string, change: (c: Record<string, unknown>) => Record<string, unknown>): string => {
  const file = join(dir, 'controller.json');
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)));
  return file;
};

/** Every file under DIR with its bytes: what "nothing was changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) out[join(e.parentPath, e.name)] = readFileSync(join(e.parentPath, e.name), 'base64');
  return out;
}

const hooksAt = (now: number): ControllerHooks => ({ ...testHooks(), clock: { ...realClock, now: () => now } });
const renew = (dir: string, args: string[], o: { hooks?: ControllerHooks; service?: string } = {}) =>
  capture(renewCertCommand(o.hooks ?? testHooks(), o.service ?? join(dir, 'no-service-here')).run, ['--config', join(dir, 'controller.json'), ...args]);
const x509 = (file: string): X509Certificate => new X509Certificate(readFileSync(file, 'utf8'));

/** A TLS handshake with a server presenting CERT and KEY, trusting only CA and checking NAME: resolves when verified. */
async function handshake(cert: string, key: string, ca: string, name: string): Promise<void> {
  const srv = createServer({ cert, key }, (s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(() => void srv.close());
  await new Promise<void>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port, ca, servername: name }, () => {
      s.end();
      resolve();
    });
    s.on('error', reject);
  });
}

describe('renew-cert', () => {
  it('a new certificate from the same CA for the same key, the old names kept and --name added; the old one kept as .bak', async () => {
    const dir = controllerCopy();
    const tls = join(dir, 'tls');
    const before = snapshot(dir);
    const old = x509(join(tls, 'server.crt'));
    const now = Date.now();
    const r = await renew(dir, ['--name', 'ctl.example', '--name=10.0.0.5,ctl2.example', '--days', '90']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^renewed ${tls}/server.crt: valid until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(90 days\\), for ctl-test, localhost, 127\\.0\\.0\\.1, ::1, ctl\\.example, 10\\.0\\.0\\.5, ctl2\\.example\\n`));
    expect(r.stdout).toContain(`is kept as ${tls}/server.crt.bak\n`);
    expect(r.stdout).toContain(`same CA (${tls}/ca.crt, fingerprint ${x509(join(tls, 'ca.crt')).fingerprint256})`);
    expect(r.stderr).toBe('xenherd-controller: a running `xenherd-controller serve` reads its certificate only when it starts: restart it to serve the new one (agents reconnect by themselves)\n');

    const after = snapshot(dir);
    // the CA (its certificate: agents pin its fingerprint) and both keys untouched; the old certificate in .bak
    for (const f of ['ca.crt', 'ca.key', 'server.key']) expect(after[join(tls, f)]).toBe(before[join(tls, f)]);
    expect(after[join(tls, 'server.crt.bak')]).toBe(before[join(tls, 'server.crt')]);
    const fresh = x509(join(tls, 'server.crt'));
    expect(fresh.subjectAltName).toBe(`${old.subjectAltName}, DNS:ctl.example, IP Address:10.0.0.5, DNS:ctl2.example`);
    expect(fresh.subject).toBe(old.subject);
    expect(fresh.serialNumber).not.toBe(old.serialNumber);
    expect(Math.abs(Date.parse(fresh.validTo) - (now + 90 * DAY))).toBeLessThan(60_000);
    // the old CA file verifies it, serve would take it, and a TLS client trusting that CA connects by the new name
    const ca = x509(join(tls, 'ca.crt'));
    expect(fresh.checkIssued(ca) && fresh.verify(ca.publicKey)).toBe(true);
    const config = loadConfig(join(dir, 'controller.json'));
    expect(config.ok && readTlsFiles(config.value, config.value.file).ok).toBe(true);
    await handshake(readFileSync(join(tls, 'server.crt'), 'utf8'), readFileSync(join(tls, 'server.key'), 'utf8'), readFileSync(join(tls, 'ca.crt'), 'utf8'), 'ctl.example');
    const probe = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(tls, 'ca.crt'), join(tls, 'server.crt')], { encoding: 'utf8' });
    if (probe.error === undefined) expect(probe.stdout).toContain('server.crt: OK');
    // certificates stay readable by all (as init wrote them)
    expect([readdirSync(tls).sort(), (await import('node:fs')).statSync(join(tls, 'server.crt')).mode & 0o777]).toEqual([['ca.crt', 'ca.key', 'server.crt', 'server.crt.bak', 'server.key'], 0o644]);
  });

  it('without options: 825 days, the same names; a name given again (in another spelling) is not doubled', async () => {
    const dir = controllerCopy();
    const old = x509(join(dir, 'tls', 'server.crt'));
    const r = await renew(dir, ['--name', 'LOCALHOST', '--name', '0:0:0:0:0:0:0:1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(825 days), for ctl-test, localhost, 127.0.0.1, ::1\n');
    expect(x509(join(dir, 'tls', 'server.crt')).subjectAltName).toBe(old.subjectAltName);
  });

  it('the packaged service running: says to restart it with systemctl', async () => {
    const dir = controllerCopy();
    const credential = join(dir, 'tls.cert-credential');
    writeFileSync(credential, 'a copy\n');
    const r = await renew(dir, [], { service: credential });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/xenherd-controller\.service is running on a copy of the certificate made at its start: restart it to serve the new one: systemctl restart xenherd-controller/);
  });

  it('a certificate never outlives its CA: within 825 days of the CA\'s end it ends with the CA, and says so', async () => {
    const dir = controllerCopy();
    const caEnd = Date.parse(x509(join(dir, 'tls', 'ca.crt')).validTo);
    const r = await renew(dir, [], { hooks: hooksAt(caEnd - 100 * DAY) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid until .*, the CA's own end \(plan a new CA before then\)/);
    expect(Date.parse(x509(join(dir, 'tls', 'server.crt')).validTo)).toBe(caEnd);
  });

  describe('refuses, with nothing changed', () => {
    const refusals: [string, string[], number, RegExp][] = [
      ['--days 0', ['--days', '0'], 64, /--days must be a whole number of days, 1-825 .*not "0"/],
      ['--days 826', ['--days', '826'], 64, /--days must be .*not "826"/],
      ['--days 1e2', ['--days', '1e2'], 64, /not "1e2"/],
      ['--days without a value', ['--days'], 64, /--days needs a value \(whole days, 1-825\)/],
      ['--name without a value', ['--name', '--days', '3'], 64, /--name needs a value \(a host name or IP address\)/],
      ['--name not a host name', ['--name', 'ctl_1!'], 64, /--name "ctl_1!" is neither a host name .* nor an IP address/],
      ['--name with a zone id', ['--name', 'fe80::1%eth0'], 64, /--name "fe80::1%eth0": a zone id \(%eth0\) cannot go in a certificate/],
      ['an empty --name', ['--name', 'a.example,'], 64, /--name has an empty name/],
      ['an unknown option', ['--dayz', '3'], 64, /unknown option "--dayz"/],
      ['a positional word', ['ctl.example'], 64, /usage: xenherd-controller renew-cert/],
      ['--ca-key not the CA\'s key', ['--ca-key', 'tls/server.key'], 77, /server\.key is not the private key of the CA: renew-cert signs with the private key of the CA in tls\.ca \(\S+ca\.crt\), which init writes beside it as ca\.key: give it with --ca-key FILE/],
      ['--ca-key missing', ['--ca-key', 'nope.key'], 74, /nope\.key.*: renew-cert signs with the private key of the CA/],
      ['--ca-key not a key', ['--ca-key', 'tls/ca.crt'], 77, /ca\.crt is not a private key Node can read/],
    ];
    it.each(refusals)('%s', async (_what, args, code, message) => {
      const dir = controllerCopy();
      const before = snapshot(dir);
      // paths given relative to the controller's dir
      const r = await renew(dir, args.map((a) => (/^(tls\/|nope)/.test(a) ? join(dir, a) : a)));
      expect([r.code, r.stdout]).toEqual([code, '']);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/; nothing was changed\n$/);
      expect(snapshot(dir)).toEqual(before);
    });

    it('no ca.key beside tls.ca (kept offline): names where it looked and --ca-key', async () => {
      const dir = controllerCopy();
      rmSync(join(dir, 'tls', 'ca.key'));
      const before = snapshot(dir);
      const r = await renew(dir, []);
      expect(r.code).toBe(74);
      expect(r.stderr).toMatch(new RegExp(`${dir}/tls/ca\\.key.*does not exist.*give it with --ca-key FILE; nothing was changed`));
      expect(snapshot(dir)).toEqual(before);
      expect((await renew(dir, ['--ca-key', join(made, 'tls', 'ca.key')])).code).toBe(0);
    });

    it('a config without tls.ca, with plaintext, with another CA, or none at all: named by its key', async () => {
      const cases: [(c: Record<string, unknown>) => Record<string, unknown>, number, RegExp][] = [
        [(c) => ({ ...c, tls: { ...(c['tls'] as object), ca: null } }), 78, /key "tls\.ca": is not set: renew-cert issues the new certificate from the CA that signed the old one/],
        [(c) => ({ ...c, tls: false }), 78, /key "tls": is false \(plaintext\): there is no certificate to renew/],
        [(c) => ({ ...c, tls: { ...(c['tls'] as object), ca: join(root, 'other', 'tls', 'ca.crt') } }), 78, /key "tls\.ca": .* did not sign the certificate in tls\.cert/],
      ];
      const other = await capture(initCommand(testHooks()).run, ['--dir', join(root, 'other'), '--listen', '127.0.0.1', '--port', '7999', '--json']);
      expect(other.code).toBe(0);
      for (const [change, code, message] of cases) {
        const dir = controllerCopy();
        withConfig(dir, change);
        const before = snapshot(dir);
        const r = await renew(dir, []);
        expect([r.code, r.stderr]).toEqual([code, expect.stringMatching(message)]);
        expect(snapshot(dir)).toEqual(before);
      }
      const none = await capture(renewCertCommand(testHooks()).run, ['--config', join(root, 'missing.json')]);
      expect([none.code, none.stderr]).toEqual([78, expect.stringMatching(/no config at \S+missing\.json: make one with/)]);
    });

    it('a CA that has expired (on the injected clock): renew-cert cannot help, and says what can', async () => {
      const dir = controllerCopy();
      const caEnd = Date.parse(x509(join(dir, 'tls', 'ca.crt')).validTo);
      const before = snapshot(dir);
      const r = await renew(dir, [], { hooks: hooksAt(caEnd + DAY) });
      expect(r.code).toBe(77);
      expect(r.stderr).toMatch(/the CA in \S+ca\.crt \(tls\.ca\) expired on .* UTC, and clients refuse what it signed from then on: renew-cert cannot help; make a new CA \(xenherd-controller init --dir NEW\) and enroll the agents again; nothing was changed/);
      expect(snapshot(dir)).toEqual(before);
    });

    it('a certificate directory others can write to: refused before the first write', async () => {
      const dir = controllerCopy();
      chmodSync(join(dir, 'tls'), 0o777);
      const before = snapshot(dir);
      const r = await renew(dir, []);
      expect(r.code).toBe(74);
      expect(r.stderr).toMatch(/tls: .*writ.*; nothing was changed\n$/);
      expect(snapshot(dir)).toEqual(before);
      expect(existsSync(join(dir, 'tls', 'server.crt.bak'))).toBe(false);
    });
  });
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedBed } from '../shipped-bed.js';
import { certificateNotes, renewAdvice, servedCertificate } from '../../../controller/cli/served-certificate.js';
import { makeCa, makeServerCert } from '../../../controller/pki/certificate.js';
import { utcMinuteText } from '../../../shared/text/utc-time.js';
import { ctlFor } from '../ctl/ctl-bed.js';

// What serve says at start of the certificate it serves: judged on the clock given, and by the
// shipped binary on files `init` and `renew-cert` made (a certificate expired, one near its end,
// one that does not name the host publicUrl gives agents).
const DAY = 86_400_000;
const NOW = Date.now();

describe('the start notes of the certificate, on an injected clock', () => {
  const ca = makeCa('xenherd controller CA (ctl)', NOW);
  const leaf = new X509Certificate(makeServerCert(ca, ['ctl.example', '127.0.0.1', '::1'], NOW, 100).certPem);
  const served = servedCertificate(leaf, renewAdvice('/etc/xenherd/controller.json', false));
  if (served === null) throw new Error('unreadable notAfter');
  const notes = (now: number, url: string | null = 'wss://ctl.example:7443') => certificateNotes(served, leaf, url, now).map((n) => [n.level, n.fields['event']]);

  it('reads notAfter and the names as the check needs them; the renewal command fits where serve runs', () => {
    expect(served).toEqual({ notAfter: Date.parse(leaf.validTo), names: ['ctl.example', '127.0.0.1', '::1'], renew: 'xenherd-controller renew-cert, then restart xenherd-controller serve' });
    expect(renewAdvice('/srv/x y/controller.json', false)).toBe("xenherd-controller renew-cert --config '/srv/x y/controller.json', then restart xenherd-controller serve");
    expect(renewAdvice('/run/credentials/xenherd-controller.service/controller.json', true)).toBe('xenherd-controller renew-cert, then systemctl restart xenherd-controller');
  });

  it('nothing far from its end; a warning within 30 days; an error once expired', () => {
    expect(notes(NOW)).toEqual([]);
    expect(notes(served.notAfter - 30 * DAY - 1)).toEqual([]);
    expect(notes(served.notAfter - 30 * DAY)).toEqual([['warn', 'tls-cert-expiring']]);
    expect(notes(served.notAfter)).toEqual([['warn', 'tls-cert-expiring']]);
    expect(notes(served.notAfter + 1)).toEqual([['error', 'tls-cert-expired']]);
  });

  it("a warning when the host agents are told to dial is not among its names (OpenSSL's match: case aside, IPs by value)", () => {
    expect(notes(NOW, 'wss://CTL.example:7443')).toEqual([]);
    expect(notes(NOW, 'wss://[0:0:0:0:0:0:0:1]:7443')).toEqual([]);
    expect(notes(NOW, null)).toEqual([]);
    const wrong = certificateNotes(served, leaf, 'wss://ctl.elsewhere:7443', NOW);
    expect(wrong).toEqual([
      {
        level: 'warn',
        fields: { event: 'tls-cert-name', url: 'wss://ctl.elsewhere:7443', names: ['ctl.example', '127.0.0.1', '::1'] },
        message:
          'agents are told to dial wss://ctl.elsewhere:7443 (publicUrl, or this host\'s name without it), and the TLS certificate does not name ctl.elsewhere (it names ctl.example, 127.0.0.1, ::1): their connections fail its name check; set publicUrl to one of those names, or renew it with this one: xenherd-controller renew-cert --name ctl.elsewhere',
      },
    ]);
  });
});

// the shipped binary: a real serve process
const shipped = shippedBed('xenherd-controller');

const controller = (args: string[]) => spawnSync(shipped.bin('xenherd-controller'), args, { encoding: 'utf8', timeout: 20_000 });
/** `xenherd-controller ARGS`, which must succeed (its failure shown whole) */
const succeeds = (args: string[]): void => {
  const r = controller(args);
  expect({ status: r.status, signal: r.signal, error: r.error?.message, stderr: r.stderr }).toMatchObject({ status: 0 });
};

/** `init` in a temp dir (listening on 127.0.0.1, any port), publicUrl as given; its dir and config. */
function initialised(publicUrl: string): { dir: string; config: string } {
  const dir = shipped.temp('xenherd-serve-cert-');
  const r = controller(['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']);
  if (r.status !== 0) throw new Error(r.stderr);
  const config = join(dir, 'controller.json');
  writeFileSync(config, JSON.stringify({ ...(JSON.parse(readFileSync(config, 'utf8')) as object), publicUrl }));
  return { dir, config };
}

/** serve on CONFIG until it listens; its log lines by event, and its URL. */
function serve(config: string): Promise<{ child: ChildProcess; url: string; events: (name: string) => Record<string, unknown>[] }> {
  const child = shipped.own(spawn(shipped.bin('xenherd-controller'), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const events = (name: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['event'] === name);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', () => {
      const m = /"event":"listening","url":"([^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1] as string, events });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

/** Ends CHILD and waits for it (how it ends is not what these tests look at: a SIGTERM right after "listening" may come before serve listens for it). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

describe('serve at start, as shipped', () => {
  it('an expired certificate: an error saying nothing can connect and how to renew; it still starts; xenherdctl says it expired', async () => {
    const { dir, config } = initialised('https://127.0.0.1:7443');
    // the CA and key init made, a certificate from them that ended 75 days ago
    const tls = join(dir, 'tls');
    const caName = /CN=(.*)$/.exec(new X509Certificate(readFileSync(join(tls, 'ca.crt'), 'utf8')).subject)?.[1] as string;
    const expired = makeServerCert({ key: createPrivateKey(readFileSync(join(tls, 'ca.key'), 'utf8')), commonName: caName }, ['localhost', '127.0.0.1'], NOW - 900 * DAY, 825, createPrivateKey(readFileSync(join(tls, 'server.key'), 'utf8')));
    writeFileSync(join(tls, 'server.crt'), expired.certPem);
    const s = await serve(config);
    const date = utcMinuteText(Date.parse(new X509Certificate(expired.certPem).validTo));
    expect(s.events('tls-cert-expired')).toEqual([
      expect.objectContaining({
        level: 50,
        notAfter: new Date(Date.parse(new X509Certificate(expired.certPem).validTo)).toISOString(),
        msg: `the TLS certificate (tls.cert) expired on ${date}: agents, their caFingerprint pin or not, and xenherdctl refuse it, so nothing can connect (unless this machine's clock is wrong): renew it: xenherd-controller renew-cert --config ${config}, then restart xenherd-controller serve`,
      }),
    ]);
    expect(s.events('tls-cert-name')).toEqual([]);
    const r = await ctlFor(null)(['hosts'], { XENHERD_URL: s.url, XENHERD_TOKEN: `xh1.0123456789ab.${'s'.repeat(43)}`, XENHERD_CA: join(tls, 'ca.crt') });
    expect([r.code, r.stderr]).toEqual([87, expect.stringMatching(new RegExp(`expired on ${date} \\(renew it on the controller: xenherd-controller renew-cert`))]);
    await stop(s.child);
  });

  it('renewed for 20 days, publicUrl naming a host the certificate does not: two warnings; renewed with that name: none', async () => {
    const { config } = initialised('https://ctl.elsewhere:7443');
    succeeds(['renew-cert', '--config', config, '--days', '20']);
    const s = await serve(config);
    expect(s.events('tls-cert-expiring')).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/^the TLS certificate \(tls\.cert\) expires on .* UTC, in 20 d: from then on nothing can connect; renew it: xenherd-controller renew-cert --config /) })]);
    expect(s.events('tls-cert-name')).toEqual([expect.objectContaining({ level: 40, url: 'wss://ctl.elsewhere:7443', msg: expect.stringMatching(/does not name ctl\.elsewhere \(it names .*localhost, 127\.0\.0\.1, ::1\): .*renew-cert --name ctl\.elsewhere$/) })]);
    await stop(s.child);

    succeeds(['renew-cert', '--config', config, '--name', 'ctl.elsewhere']);
    const again = await serve(config);
    expect([again.events('tls-cert-expiring'), again.events('tls-cert-name'), again.events('tls-cert-expired')]).toEqual([[], [], []]);
    await stop(again.child);
  });
});

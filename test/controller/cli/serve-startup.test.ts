import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import { initCommand } from '../../../controller/cli/init.js';
import { serveCommand } from '../../../controller/cli/serve.js';
import { readCaCertificate, readTlsFiles } from '../../../controller/config/tls-files.js';
import { parseControllerConfig } from '../../../controller/config/load.js';
import { capture, testHooks } from '../api/controller-bed.js';
import type { SdMessage, SdNotify } from '../../../shared/systemd/sd-notify.js';

// What serve refuses before it listens: a broken tokens.json, and TLS files that do not parse or
// do not belong together, each named by its key. Only refusals run here: a serve that starts
// would wait for a signal (process.test.ts runs a real one).
let dir = '';
let base: Record<string, unknown> = {};
let tls: { cert: string; key: string; ca: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ctlcfg-serve-'));
  const r = await capture(initCommand(testHooks()).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  // port 0 (publicUrl, written by init, tells enroll the port): should a refusal regress, the
  // serve that starts binds no fixed port
  base = { ...(JSON.parse(readFileSync(join(dir, 'controller.json'), 'utf8')) as Record<string, unknown>), listen: { host: '127.0.0.1', port: 0 } };
  tls = base['tls'] as typeof tls;
  // a second CA: the quick start run twice, its ca.crt given with the first one's certificate
  const other = await capture(initCommand(testHooks()).run, ['--dir', join(dir, 'other'), '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (other.code !== 0) throw new Error(other.stderr);
  writeFileSync(join(dir, 'hello.pem'), 'hello\n');
  writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  writeFileSync(join(dir, 'chain.pem'), `${readFileSync(tls.cert, 'utf8')}${readFileSync(join(dir, 'broken.pem'), 'utf8')}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A controller.json in DIR with TLS_CHANGES; its path. */
function configWith(name: string, tlsChanges: Record<string, string>, stateDir?: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...base, tls: { ...tls, ...tlsChanges }, ...(stateDir === undefined ? {} : { stateDir }) }));
  return file;
}
const serve = (config: string) => capture(serveCommand(testHooks()).run, ['--config', config]);

describe('serve refuses at start what it cannot serve with', () => {
  it('a corrupt tokens.json: exit 78 with the message enroll gives, not a controller that refuses everyone', async () => {
    const state = join(dir, 'bad-state');
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state);
    writeFileSync(join(state, 'tokens.json'), 'garbage\n');
    const config = configWith('bad-tokens', {}, state);
    const r = await serve(config);
    expect([r.code, r.stderr]).toEqual([78, `xenherd-controller: XH_ERR_CONFIG: ${join(state, 'tokens.json')}: not valid JSON: restore it from a backup, or remove it and enroll every agent again\n`]);
    const e = await capture(enrollCommand(testHooks()).run, ['xen1', '--config', config]);
    expect([e.code, e.stderr]).toEqual([r.code, r.stderr]);
    expect(readFileSync(join(state, 'tokens.json'), 'utf8')).toBe('garbage\n');
  });

  it('a tokens.json, or the dir holding it, that other users can write: exit 78, nothing served', async () => {
    const state = join(dir, 'open-state');
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state, { mode: 0o700 });
    const config = configWith('open-tokens', {}, state);
    const e = await capture(enrollCommand(testHooks()).run, ['xen1', '--config', config]);
    expect(e.code).toBe(0);
    const tokens = join(state, 'tokens.json');
    chmodSync(tokens, 0o666);
    const r = await serve(config);
    expect([r.code, r.stderr]).toEqual([78, `xenherd-controller: XH_ERR_CONFIG: ${tokens} has mode 0666: other users can write to it and could have added a token of their own: check its contents, then chmod 600 ${tokens}\n`]);
    chmodSync(tokens, 0o600);
    chmodSync(state, 0o777);
    const d = await serve(config);
    expect(d.code).toBe(78);
    expect(d.stderr).toContain(`${state}: has mode 0777: other users can write to it`);
    expect(d.stderr).toContain('so the controller does not start on it');
    chmodSync(state, 0o700);
  });

  it.each([
    ['a cert that is not PEM', { cert: 'hello.pem' }, /key "tls.cert": \S+hello.pem holds no PEM certificate .*: give the server's certificate as PEM/],
    ['a cert whose PEM is not X.509', { cert: 'broken.pem' }, /key "tls.cert": \S+broken.pem is not an X.509 certificate \(.*\): give/],
    ['a chain with a broken second certificate', { cert: 'chain.pem' }, /key "tls.cert": \S+chain.pem \(certificate 2 of 2\) is not an X.509 certificate/],
    ['the CA key as tls.key', { key: 'tls/ca.key' }, /key "tls.key": \S+ca.key is not the private key of the certificate in tls.cert \(.*server.crt.*\): give the server certificate's own private key/],
    ['a certificate as tls.key', { key: 'tls/server.crt' }, /key "tls.key": \S+server.crt holds a certificate, not a private key/],
    ['a key that does not parse', { key: 'hello.pem' }, /key "tls.key": \S+hello.pem is not a private key Node can read/],
    ['a tls.ca that is not a certificate', { ca: 'hello.pem' }, /key "tls.ca": \S+hello.pem holds no PEM certificate .*or leave tls.ca out/],
    ['a tls.ca that is a key', { ca: 'tls/ca.key' }, /key "tls.ca": \S+ca.key holds a PRIVATE KEY block, and only certificates belong there/],
    ['a tls.ca that did not sign tls.cert', { ca: 'other/tls/ca.crt' }, /key "tls.ca": \S+other\/tls\/ca.crt \(.*\) did not sign the certificate in tls.cert \(\S+server.crt, .*\), so agents that trust it would refuse every connection: give the CA certificate that signed tls.cert/],
    ['a missing cert', { cert: 'nope.pem' }, /key "tls.cert": .*nope.pem.*: fix the path/],
  ])('%s: named by its key, not blamed on listen', async (_what, change, expected) => {
    const abs = Object.fromEntries(Object.entries(change).map(([k, v]) => [k, join(dir, v)]));
    const config = configWith('tls-case', abs);
    const r = await serve(config);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toContain('key "listen"');
    expect(r.stdout).toBe('');
  });

  it('enroll applies the same rule to the TLS files as serve, and writes no token when it refuses', async () => {
    const state = join(dir, 'enroll-state');
    for (const change of [{ ca: 'hello.pem' }, { ca: 'tls/ca.key' }, { ca: 'other/tls/ca.crt' }, { cert: 'broken.pem' }, { key: 'tls/ca.key' }]) {
      rmSync(state, { recursive: true, force: true });
      const config = configWith('ca-case', Object.fromEntries(Object.entries(change).map(([k, v]) => [k, join(dir, v)])), state);
      const [s, e] = [await serve(config), await capture(enrollCommand(testHooks()).run, ['xen1', '--config', config])];
      expect([e.code, e.stderr]).toEqual([s.code, s.stderr]);
      expect(e.stdout).toBe('');
      expect(existsSync(join(state, 'tokens.json'))).toBe(false);
    }
  });

  it('the files init makes pass, and the CA is appended to the chain once', () => {
    const c = parseControllerConfig(JSON.stringify(base), 'controller.json');
    if (!c.ok) throw new Error(c.error.message);
    const r = readTlsFiles(c.value, 'controller.json');
    expect(r.ok && r.value !== null && r.value.cert.split('BEGIN CERTIFICATE').length - 1).toBe(2);
    const ca = readCaCertificate(tls.ca, 'controller.json');
    expect(ca.ok && ca.value.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe('serve tells systemd it is ready only once it listens (the unit is Type=notify)', () => {
  it('READY=1 with STATUS= naming the URL and the enrolled agents after the listen; nothing on a refusal', async () => {
    const sent: SdMessage[] = [];
    let ready = (): void => undefined;
    const gotReady = new Promise<void>((r) => (ready = r));
    const signals = new Map<string, () => void>();
    const notify: SdNotify = async (m) => {
      sent.push(m);
      ready();
      return null;
    };
    const hooks = { ...testHooks(), notify, onSignal: (s: string, h: () => void) => void signals.set(s, h) };
    const refused = await capture(serveCommand(hooks).run, ['--config', configWith('notify-refused', { cert: join(dir, 'hello.pem') })]);
    expect(refused.code).toBe(78);
    expect(sent).toEqual([]);

    const state = join(dir, 'notify-state');
    rmSync(state, { recursive: true, force: true });
    const config = configWith('notify', {}, state);
    expect((await capture(enrollCommand(testHooks()).run, ['xen1', '--config', config])).code).toBe(0);
    const running = capture(serveCommand(hooks).run, ['--config', config]);
    await gotReady;
    expect(sent).toEqual([{ ready: true, status: expect.stringMatching(/^listening on https:\/\/127\.0\.0\.1:\d+, 1 agent enrolled$/) }]);
    signals.get('SIGTERM')?.();
    expect((await running).code).toBe(0);
  });

  // a SIGTERM taken while serve still starts (here: the moment its handlers are in place, before
  // it listens) stops it without READY=1: sent during a stop, it told systemd the unit had started
  it('stopped before it listens: no READY=1, and it ends with 0', async () => {
    const sent: SdMessage[] = [];
    const signals = new Map<string, () => void>();
    const notify: SdNotify = async (m) => {
      sent.push(m);
      return null;
    };
    const onSignal = (s: string, h: () => void): void => {
      signals.set(s, h);
      if (s === 'SIGHUP') signals.get('SIGTERM')?.();
    };
    const state = join(dir, 'notify-stopped-state');
    rmSync(state, { recursive: true, force: true });
    const r = await capture(serveCommand({ ...testHooks(), notify, onSignal }).run, ['--config', configWith('notify-stopped', {}, state)]);
    expect(r.code).toBe(0);
    expect(sent.filter((m) => m.ready === true)).toEqual([]);
  });
});

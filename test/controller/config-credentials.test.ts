import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialPathsShown, serveFiles } from '../../controller/config/credentials.js';
import { makeCa, makeServerCert } from '../../controller/pki/certificate.js';
import { writeFileSync } from 'node:fs';
import { parseControllerConfig } from '../../controller/config/load.js';

const config = (o: unknown) => {
  const r = parseControllerConfig(JSON.stringify(o), '/etc/xenherd/controller.json');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const tls = { cert: '/etc/xenherd/tls/server.crt', key: '/etc/xenherd/tls/server.key', ca: '/etc/xenherd/tls/ca.crt' };

describe('serveFiles: systemd credentials replace the paths controller.json names', () => {
  it('without $CREDENTIALS_DIRECTORY everything stays as configured', () => {
    const f = serveFiles(config({ tls, stateDir: '/etc/xenherd/state' }), undefined, () => true);
    expect(f).toEqual({ config: expect.objectContaining({ tls }), tokensFile: '/etc/xenherd/state/tokens.json', fromCredentials: [] });
  });

  it('each credential present replaces its path; missing ones leave the path', () => {
    const present = new Set(['/run/credentials/x/tls.key', '/run/credentials/x/tokens.json']);
    const f = serveFiles(config({ tls, stateDir: '/s' }), '/run/credentials/x', (p) => present.has(p));
    expect(f.config.tls).toEqual({ cert: tls.cert, key: '/run/credentials/x/tls.key', ca: tls.ca });
    expect(f.tokensFile).toBe('/run/credentials/x/tokens.json');
    expect(f.fromCredentials).toEqual(['tls.key', 'tokens.json']);
  });

  it('never turns TLS or a CA on that the config leaves off', () => {
    const plain = serveFiles(config({ tls: false, stateDir: '/s', listen: { host: '127.0.0.1' } }), '/c', () => true);
    expect(plain.config.tls).toBe(false);
    const noCa = serveFiles(config({ tls: { cert: '/a', key: '/b' }, stateDir: '/s' }), '/c', () => true);
    expect(noCa.config.tls).toEqual({ cert: '/c/tls.cert', key: '/c/tls.key', ca: null });
  });
});

describe('credentialPathsShown: a refusal names the file to fix, not the copy systemd made at start', () => {
  const TAIL = ' (systemd copies credentials at each start: fix the file named, then `systemctl restart xenherd-controller`)';
  it("a TLS file by the path controller.json gives it, controller.json and tokens.json by the packaged unit's sources", () => {
    const originals = { 'tls.cert': '/srv/pki/ctl.crt', 'tls.key': '/srv/pki/ctl.key' };
    expect(credentialPathsShown('/run/credentials/u.service/controller.json: key "tls.key": /run/credentials/u.service/tls.key is not the private key of the certificate in tls.cert (/run/credentials/u.service/tls.cert, CN=x)', '/run/credentials/u.service', originals)).toBe(
      `/etc/xenherd/controller.json (as systemd credential controller.json): key "tls.key": /srv/pki/ctl.key (as systemd credential tls.key) is not the private key of the certificate in tls.cert (/srv/pki/ctl.crt (as systemd credential tls.cert), CN=x)${TAIL}`,
    );
    expect(credentialPathsShown('/c/tokens.json: not JSON', '/c/', {})).toBe(`/etc/xenherd/state/tokens.json (as systemd credential tokens.json): not JSON${TAIL}`);
  });

  it('outside systemd, or a path of no known credential: unchanged', () => {
    expect(credentialPathsShown('/etc/xenherd/controller.json: unknown key', undefined, {})).toBe('/etc/xenherd/controller.json: unknown key');
    expect(credentialPathsShown('/c/other.pem: bad', '/c', {})).toBe('/c/other.pem: bad');
  });
});

describe('serve reads its keys and tokens from $CREDENTIALS_DIRECTORY', () => {
  let dist = '';
  let dir = '';
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'xenherd-cred-dist-'));
    dir = mkdtempSync(join(tmpdir(), 'xenherd-cred-'));
    execFileSync('node', ['packaging/build.mjs', '--outdir', dist, 'xenherd-controller'], { stdio: 'pipe' });
  }, 120_000);
  afterAll(() => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves with the originals gone, as the unit does with root-only files', async () => {
    const etc = join(dir, 'etc');
    const init = spawnSync(join(dist, 'xenherd-controller'), ['init', '--dir', etc, '--listen', '127.0.0.1', '--port', '0', '--json'], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    // what LoadCredential= does: copies under fixed names in a directory of their own
    const creds = join(dir, 'credentials');
    mkdirSync(creds);
    for (const [name, from] of [['controller.json', 'controller.json'], ['tls.cert', 'tls/server.crt'], ['tls.key', 'tls/server.key'], ['tls.ca', 'tls/ca.crt'], ['tokens.json', 'state/tokens.json']]) {
      copyFileSync(join(etc, from as string), join(creds, name as string));
    }
    // the service cannot read the originals: here they are simply not there
    rmSync(join(etc, 'tls'), { recursive: true });
    rmSync(join(etc, 'state'), { recursive: true });
    const child: ChildProcess = spawn(join(dist, 'xenherd-controller'), ['serve', '--config', join(creds, 'controller.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CREDENTIALS_DIRECTORY: creds },
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', () => /"event":"listening"/.test(out) && resolve());
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      expect(out).toContain('"names":["tls.cert","tls.key","tls.ca","tokens.json"]');
      expect(out).not.toContain('no-tokens');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });

  it('refused at start: the message names controller.json and the TLS files to fix, not their copies', () => {
    const etc = join(dir, 'etc2');
    const init = spawnSync(join(dist, 'xenherd-controller'), ['init', '--dir', etc, '--listen', '127.0.0.1', '--port', '0', '--json'], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const creds = join(dir, 'credentials2');
    mkdirSync(creds);
    for (const [name, from] of [['controller.json', 'controller.json'], ['tls.cert', 'tls/server.crt'], ['tls.ca', 'tls/ca.crt'], ['tokens.json', 'state/tokens.json']]) {
      copyFileSync(join(etc, from as string), join(creds, name as string));
    }
    // a key of another certificate: the operator replaced one file of the pair
    writeFileSync(join(creds, 'tls.key'), makeServerCert(makeCa('other', Date.now()), ['127.0.0.1'], Date.now()).keyPem);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CREDENTIALS_DIRECTORY: creds };
    const serve = spawnSync(join(dist, 'xenherd-controller'), ['serve', '--config', join(creds, 'controller.json')], { encoding: 'utf8', env, timeout: 30_000 });
    expect(serve.status).toBe(78);
    expect(serve.stderr).toContain(`${join(etc, 'tls', 'server.key')} (as systemd credential tls.key) is not the private key of the certificate in tls.cert (${join(etc, 'tls', 'server.crt')} (as systemd credential tls.cert)`);
    expect(serve.stderr).toContain('fix the file named, then `systemctl restart xenherd-controller`');
    expect(serve.stderr).not.toContain(`${creds}/tls.`);
  });
});

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFiles } from '../../controller/config/credentials.js';
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
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedBed } from './shipped-bed.js';
import { dom, hostState } from './states.js';
import { connectFakeAgent } from './fake-agent.js';
import { pauseOf, until } from '../helpers/until.js';

// The composition roots as shipped: the single-file bundles, a real `serve` process.
const shipped = shippedBed('xenherd-controller', 'xenherdctl');
const temp = (): string => shipped.temp('xenherd-ctl-proc-');
const bin = shipped.bin;
const run = (name: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(bin(name), args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: shipped.temps[0] ?? tmpdir(), ...env } });

/** `serve` as a child of this test; resolves with its URL once it logs that it listens. */
function serve(config: string): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = shipped.own(spawn(bin('xenherd-controller'), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = /"event":"listening","url":"([^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1] as string, out: () => out });
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describe('xenherd-controller and xenherdctl as shipped', () => {
  it('init → enroll → serve → an agent reports → xenherdctl where finds it → SIGTERM stops cleanly', async () => {
    const dir = temp();
    const init = run('xenherd-controller', ['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']);
    expect(init.status).toBe(0);
    const out = JSON.parse(init.stdout) as { config: string; token: string; ca: string; caFingerprint: string };
    // owner-only: keys, tokens, config, directories; certificates readable
    const mode = (p: string) => statSync(join(dir, p)).mode & 0o777;
    expect([mode('tls/ca.key'), mode('tls/server.key'), mode('state/tokens.json'), mode('controller.json'), mode('tls'), mode('state')]).toEqual([0o600, 0o600, 0o600, 0o600, 0o700, 0o700]);
    expect(mode('tls/ca.crt')).toBe(0o644);
    expect(readFileSync(join(dir, 'state/tokens.json'), 'utf8')).not.toContain(out.token.split('.')[2]);

    // port 0: enroll cannot tell an agent where to dial until the port is known
    const early = run('xenherd-controller', ['enroll', 'xen1', '--config', out.config]);
    expect([early.status, early.stderr]).toEqual([78, expect.stringContaining('key "listen.port": is 0 (any free port)')]);
    const s = await serve(out.config);
    writeFileSync(out.config, JSON.stringify({ ...(JSON.parse(readFileSync(out.config, 'utf8')) as object), publicUrl: s.url }));
    // serve re-reads tokens.json when it changes: an agent enrolled now is let in at once
    const enroll = run('xenherd-controller', ['enroll', 'xen1', '--config', out.config]);
    expect(enroll.status).toBe(0);
    const snippet = JSON.parse(enroll.stdout) as { controller: { url: string; token: string; caFingerprint: string } };
    expect(snippet.controller).toMatchObject({ url: s.url.replace(/^https/, 'wss'), caFingerprint: out.caFingerprint });
    expect(enroll.stderr).toMatch(/enrolled xen1/);

    const agent = await connectFakeAgent({ url: snippet.controller.url, token: snippet.controller.token, ca: readFileSync(out.ca, 'utf8'), host: 'xen1' });
    agent.hello();
    agent.snapshot(hostState({ domains: [dom('web01', { state: 'running' })] }));
    const env = { XENHERD_URL: s.url, XENHERD_TOKEN: out.token, XENHERD_CA: out.ca };
    await until(() => run('xenherdctl', ['where', '-q', 'web01'], env).status === 0, 'where -q web01 to answer', { limitMs: 10_000, step: pauseOf(20) });
    expect(run('xenherdctl', ['where', '-q', 'web01'], env).stdout).toBe('xen1\n');
    const where = run('xenherdctl', ['where', 'web01'], env);
    expect(where.stdout).toMatch(/^web01 {2}xen1 {2}running {2}no home known {2}as of \d+\.\d s\n$/);
    expect(run('xenherdctl', ['where', 'nope'], env).status).toBe(1);
    expect(run('xenherdctl', ['where', 'web01'], { ...env, XENHERD_TOKEN: `${out.token.slice(0, -2)}xx` }).status).toBe(88);

    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await agent.until(() => agent.closed !== null, 'the agent link closed');
    expect(agent.closed?.code).toBe(1001);
    expect(s.out()).toContain('"event":"stopping"');
    // serve set V8's old-space growth for itself (controller/heap-growth.ts)
    expect(s.out()).toContain('"event":"heap-growth","growth":"50 %"');
  });

  it('a SIGTERM at its first log line, before it listens (a quick systemctl restart), stops it cleanly', async () => {
    const dir = temp();
    const init = run('xenherd-controller', ['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']);
    expect(init.status).toBe(0);
    const { config } = JSON.parse(init.stdout) as { config: string };
    const child = shipped.own(spawn(bin('xenherd-controller'), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.stdout?.on('data', (d: Buffer) => {
      if (out === '') child.kill('SIGTERM');
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    // exit 0 with its own "stopping" line: not killed by the signal (code null, signal SIGTERM)
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(out).toContain('"event":"stopping"');
  });

  it('init refuses to overwrite an existing controller', () => {
    const dir = temp();
    expect(run('xenherd-controller', ['init', '--dir', dir, '--json']).status).toBe(0);
    const again = run('xenherd-controller', ['init', '--dir', dir]);
    expect(again.status).toBe(77);
    expect(again.stderr).toMatch(/already exist: nothing was written/);
  });

  it('serve refuses plaintext bound off loopback, naming the key and the fix', () => {
    const dir = temp();
    const config = join(dir, 'controller.json');
    writeFileSync(config, JSON.stringify({ listen: { host: '0.0.0.0', port: 0 }, tls: false, stateDir: join(dir, 'state') }));
    const r = run('xenherd-controller', ['serve', '--config', config]);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/XH_ERR_CONFIG: .*controller.json: key "tls": plaintext \(tls: false\) is allowed only on a loopback address/);
    expect(r.stdout).toBe('');
  });

  it('plaintext on loopback works (http:// to 127.0.0.1 only)', async () => {
    const dir = temp();
    const init = JSON.parse(run('xenherd-controller', ['init', '--dir', dir, '--json']).stdout) as { token: string };
    const config = join(dir, 'plain.json');
    writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, tls: false, stateDir: join(dir, 'state') }));
    const s = await serve(config);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = run('xenherdctl', ['hosts', '--json'], { XENHERD_URL: s.url, XENHERD_TOKEN: init.token });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ hosts: [] });
  });

  it('serve refuses a corrupt tokens.json at start (exit 78, as enroll does) instead of listening with no tokens', () => {
    const dir = temp();
    const made = JSON.parse(run('xenherd-controller', ['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']).stdout) as { config: string };
    writeFileSync(join(dir, 'state/tokens.json'), 'garbage\n');
    const r = run('xenherd-controller', ['serve', '--config', made.config]);
    expect([r.status, r.stderr]).toEqual([78, expect.stringContaining(`XH_ERR_CONFIG: ${join(dir, 'state/tokens.json')}: not valid JSON: restore it from a backup`)]);
    expect(r.stdout).not.toContain('"event":"listening"');
  });

  it('serve without a config says how to make one', () => {
    const r = run('xenherd-controller', ['serve', '--config', join(temp(), 'missing.json')]);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/no config at .*missing.json: make one with `xenherd-controller init --dir DIR`/);
  });
});

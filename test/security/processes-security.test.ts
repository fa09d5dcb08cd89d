import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';
import { pauseOf, untilFound } from '../helpers/until.js';
import { buildBundles, runNode } from '../playground/processes.js';
import { startSim, type Sim } from '../sim/sim.js';
import { pairFleet } from '../harness/pair-fleet.js';

// What only the real programs show: the modes of what `xenherd-controller init`, `enroll` and an
// agent run leave on disk (owner-only, even under umask 000), and that no secret (a token, its
// secret part, a TLS private key) appears in any log line of the controller, the agent or
// xenherdctl through init, enroll, serve, an agent's connection and operator commands.

let dir = '';
let bin: { agent: string; controller: string; ctl: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-sec-'));
  bin = await buildBundles(join(dir, 'bin'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A process started under umask 000, its output kept line by line; ended after each test. */
class Run {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(argv: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn('sh', ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => {
        buf += d;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        this.lines.push(...parts);
      });
      stream?.on('end', () => buf && this.lines.push(buf));
    }
    this.exited = new Promise((r) => this.child.once('close', (code) => r(code)));
  }
  /** the first line matching, failing at once if the process ends without one */
  until(pred: (line: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const seen = (): string => `${what} (output:\n${this.lines.join('\n').slice(-3000)})`;
    const look = (): string | undefined => {
      const hit = this.lines.find(pred);
      if (hit === undefined && this.child.exitCode !== null) throw new Error(`${seen()}: the process ended without it`);
      return hit;
    };
    return untilFound(look, seen, { limitMs: timeoutMs, step: pauseOf(50) });
  }
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
const running: Run[] = [];
const sims: Sim[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const s of sims.splice(0)) await s.stop();
});
const start = (argv: readonly string[], env: Record<string, string> = {}): Run => {
  const r = new Run(argv, env);
  running.push(r);
  return r;
};
/** a one-shot command under umask 000: its exit code and every line it printed */
async function once(argv: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; lines: string[] }> {
  const r = new Run(argv, env);
  const code = await r.exited;
  return { code, stdout: r.lines.join('\n'), lines: r.lines };
}

/** Every file, directory and socket under ROOT with group or other permission bits. */
function notOwnerOnly(root: string, publicFiles: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (!publicFiles.includes(p) && (st.mode & 0o077) !== 0) out.push(`${p}: ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(root);
  return out;
}

describe('owner-only state, keys and sockets', () => {
  it('xenherd-controller init, enroll and operator under umask 000: every file but the two certificates is owner-only', async () => {
    const d = join(dir, 'ctl-modes');
    // a real port (never served here): enroll refuses port 0, which it could not tell an agent
    const init = await once([bin.controller, 'init', '--dir', d, '--listen', '127.0.0.1', '--port', '7443', '--json']);
    expect(init.code, init.stdout).toBe(0);
    const config = join(d, 'controller.json');
    expect((await once([bin.controller, 'enroll', 'xen1', '--config', config])).code).toBe(0);
    expect((await once([bin.controller, 'operator', 'viewer', '--role', 'read', '--config', config])).code).toBe(0);
    const certificates = [join(d, 'tls', 'ca.crt'), join(d, 'tls', 'server.crt')];
    expect(notOwnerOnly(d, certificates)).toEqual([]);
    for (const f of ['controller.json', 'tls/ca.key', 'tls/server.key', 'state/tokens.json']) expect(lstatSync(join(d, f)).mode & 0o777, f).toBe(0o600);
    for (const f of certificates) expect(lstatSync(f).mode & 0o777).toBe(0o644);
  });
});

const FLEET = pairFleet({ connectDelay: 100, running: 'no', memMiB: 1024, vcpus: 1, more: 'domu db1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r2 running=xen1\n' });

function getJson(url: string, path: string, token: string, ca: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, ca, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('no secret in any log line', () => {
  it('controller and agent through init, enroll, serve, connect and operator commands; the agent leaves its state owner-only', async () => {
    const d = join(dir, 'ctl-logs');
    const init = await once([bin.controller, 'init', '--dir', d, '--listen', '127.0.0.1', '--port', '0', '--json']);
    expect(init.code).toBe(0);
    const made = JSON.parse(init.stdout) as { config: string; token: string; ca: string };
    const serve = start([bin.controller, 'serve', '--config', made.config], { XENHERD_LOG_LEVEL: 'debug' });
    const listening = JSON.parse(await serve.until((l) => l.includes('"event":"listening"'), 'the controller listening')) as { url: string };
    // port 0 until now: enroll needs the URL agents dial (serve picks up the new tokens at once)
    writeFileSync(made.config, JSON.stringify({ ...(JSON.parse(readFileSync(made.config, 'utf8')) as object), publicUrl: listening.url }));
    const enroll = await once([bin.controller, 'enroll', 'xen1', '--config', made.config]);
    const agentToken = (JSON.parse(enroll.lines.filter((l) => !l.startsWith('xenherd-controller:')).join('\n')) as { controller: { token: string } }).controller.token;
    const readToken = (await once([bin.controller, 'operator', 'viewer', '--role', 'read', '--config', made.config])).lines[0] as string;
    const caPem = readFileSync(made.ca, 'utf8');

    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    sims.push(sim);
    const root = sim.hostRoot('xen1');
    mkdirSync(join(root, 'etc/xenherd'), { recursive: true });
    copyFileSync(made.ca, join(root, 'etc/xenherd/controller-ca.crt'));
    const agentConfig = join(dir, 'agent.json');
    writeFileSync(agentConfig, JSON.stringify({ autostart: { retryInitialSeconds: 1, retryMaxSeconds: 5 }, controller: { url: listening.url.replace(/^https/, 'wss'), token: agentToken, caFile: '/etc/xenherd/controller-ca.crt' } }));
    const agent = start([...UNIT_NODE_FLAGS, bin.agent, 'run', '--config', agentConfig], { ...sim.env('xen1'), XENHERD_LOG_LEVEL: 'debug' });
    await agent.until((l) => l.includes('controller link up'), 'the agent reporting');
    await agent.until((l) => l.includes('started web1'), 'web1 started by guarded autostart');

    const ctlEnv = (token: string): Record<string, string> => ({ XENHERD_URL: listening.url, XENHERD_TOKEN: token, XENHERD_CA: made.ca, HOME: dir });
    const ctl: string[] = [];
    for (const [token, args] of [
      [made.token, ['hosts']],
      [made.token, ['where', 'web1', '--json']],
      [made.token, ['status']],
      [made.token, ['migrate', 'db1', 'xen2']],
      [readToken, ['migrate', 'db1', 'xen2']],
      [`xh1.000000000000.${'A'.repeat(43)}`, ['hosts']],
      [made.token, ['maintenance', 'xen9', 'on']],
    ] as const) {
      const r = await runNode(bin.ctl, [...args], ctlEnv(token), 60_000);
      ctl.push(r.stdout, r.stderr);
    }
    expect((await getJson(listening.url, '/v1/hosts', agentToken, caPem)).status).toBe(403);

    // the agent's state and runtime directories while it runs (the control socket included)
    expect(notOwnerOnly(join(root, 'var/lib/xenherd'))).toEqual([]);
    expect(notOwnerOnly(join(root, 'run/xenherd'))).toEqual([]);
    expect(lstatSync(join(root, 'run/xenherd/agent.sock')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'var/lib/xenherd')).length + readdirSync(join(root, 'run/xenherd')).length).toBeGreaterThan(1);

    await agent.stop();
    await serve.stop();
    const logs = [...serve.lines, ...agent.lines, ...ctl.flatMap((t) => t.split('\n')), ...init.lines.filter((l) => !l.startsWith('{'))];
    expect(serve.lines.length).toBeGreaterThan(5);
    expect(agent.lines.length).toBeGreaterThan(5);
    const keyBodies = ['tls/server.key', 'tls/ca.key'].flatMap((f) =>
      readFileSync(join(d, f), 'utf8')
        .split('\n')
        .filter((l) => l.length >= 16 && !l.startsWith('-----')),
    );
    const secrets = [made.token, agentToken, readToken].flatMap((t) => [t, t.split('.')[2] as string]);
    const leaks = logs.flatMap((line, i) => [...secrets, ...keyBodies, 'PRIVATE KEY'].filter((s) => line.includes(s)).map((s) => `line ${i}: contains ${s.slice(0, 12)}…: ${line.slice(0, 200)}`));
    expect(leaks).toEqual([]);
  }, 120_000);
});

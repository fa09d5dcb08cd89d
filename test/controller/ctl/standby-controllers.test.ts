import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tokenStorePath } from '../../../controller/auth/token-store-file.js';
import { PROBE_TIMEOUT_MS } from '../../../controller/ctl/controller-set.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { dom, hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// xenherdctl given a primary and a standby (XENHERD_URL as a list), against real controllers on
// loopback: the standby is a second controller given the first's tokens, as an operator copies
// tokens.json to it, and xenherdctl trusts both CAs (a real standby has the first's own CA).

const bed = controllerBed();

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'xenherd-standby-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** B takes A's tokens, replaced as a whole (a new file, as a copy over scp makes) so B reads them at the next request */
function copyTokens(a: TestController, b: TestController): void {
  const to = tokenStorePath(join(b.dir, 'state'));
  writeFileSync(`${to}.new`, readFileSync(tokenStorePath(join(a.dir, 'state'))));
  renameSync(`${to}.new`, to);
}

/** HOST reporting DOMAINS to C with TOKEN, reachable once this resolves */
async function reporting(c: TestController, host: string, token: string, domains: string[]): Promise<void> {
  const agent = await c.agent(host, token);
  agent.hello();
  agent.snapshot(hostState({ domains: domains.map((d) => dom(d)) }));
  await until(() => c.core.hosts().hosts.some((h) => h.host === host && h.reachable), `${host} reachable`, { limitMs: 10_000 });
}

/** The primary A and the standby B (each knowing its enrolled Dom0s, as serve does), B with A's tokens; a CA file trusting both. */
async function pair(): Promise<{ a: TestController; b: TestController; ca: string }> {
  const a = await bed.start({}, {}, { enrolled: true });
  const b = await bed.start({}, {}, { enrolled: true });
  const ca = join(tempDir(), 'ca.crt');
  writeFileSync(ca, `${a.caPem}${b.caPem}`);
  return { a, b, ca };
}

/** A loopback port nothing listens on: a controller that is down (connection refused). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `https://127.0.0.1:${port}`;
}

/** A plain HTTP server on loopback counting what it is asked: a standby that must not be asked. */
async function counting(): Promise<{ url: string; asked: () => number }> {
  let n = 0;
  const s = createHttpServer((_req, res) => {
    n++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => s.close(() => r())));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, asked: () => n };
}

/** A loopback listener that accepts and never answers: a primary black-holed (no RST, the connect hangs in TLS). */
async function hung(): Promise<{ url: string; accepted: () => number }> {
  const sockets: Socket[] = [];
  const s = createServer((sock) => void sockets.push(sock));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => (sockets.forEach((x) => x.destroy()), s.close(() => r()))));
  return { url: `https://127.0.0.1:${(s.address() as AddressInfo).port}`, accepted: () => sockets.length };
}

/** The wall clock's time (certificates are checked against it), with timers that fire only when the test advances. */
function steppedClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const now = (): number => realClock.now() + offset;
  return {
    now,
    schedule: (ms, fn) => {
      const t = { at: now() + ms, fn };
      timers.push(t);
      return () => void (timers = timers.filter((x) => x !== t));
    },
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      offset += ms;
      const due = timers.filter((t) => t.at <= now());
      timers = timers.filter((t) => t.at > now());
      for (const t of due) t.fn();
    },
  };
}

const label = (url: string): string => new URL(url).host;

describe('xenherdctl with a standby controller', () => {
  it('the primary down: the standby answers, one line on stderr says so, --json unchanged on stdout', async () => {
    const { a, b, ca } = await pair();
    const token = await a.enroll('xen1');
    copyTokens(a, b);
    await reporting(b, 'xen1', token, ['web01']);
    const dead = await deadUrl();
    const env = { XENHERD_URL: `${dead},${b.url}`, XENHERD_CA: ca };
    const r = await ctlFor(a)(['where', 'web01'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web01 {2}xen1 {2}running/);
    expect(r.stderr).toBe(`xenherdctl: ${label(dead)} unreachable; answered by ${label(b.url)}, which hears 1 of 1 Dom0\n`);
    const j = await ctlFor(a)(['where', 'web01', '--json'], env);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ pattern: 'web01', matches: [{ name: 'web01', places: [{ host: 'xen1' }] }] });
    expect(j.stderr).toBe(r.stderr);
  });

  it('a primary that accepts and never answers costs the probe bound, not the 10 s request timeout: where and check are answered by the standby', async () => {
    const { a, b, ca } = await pair();
    const token = await a.enroll('xen1');
    copyTokens(a, b);
    await reporting(b, 'xen1', token, ['web01']);
    const primary = await hung();
    const env = { XENHERD_URL: `${primary.url},${b.url}`, XENHERD_CA: ca };
    const clock = steppedClock();
    for (const [n, argv] of [[1, ['where', 'web01']], [2, ['check']]] as const) {
      const running = ctlFor(a, undefined, { clock })(argv, env);
      await until(() => primary.accepted() === n, 'the primary asked', { limitMs: 10_000 });
      // time moves only here: the command ends once the probe's bound is up, with no 10 s wait to come
      clock.advance(PROBE_TIMEOUT_MS);
      const r = await running;
      const why = `${label(primary.url)} unreachable; answered by ${label(b.url)}, which hears 1 of 1 Dom0`;
      // check puts the note in its verdict, at least WARNING (the on-call learns of the failover)
      expect(r.stdout.startsWith(n === 1 ? 'web01  xen1  running' : `XENHERD WARNING - ${why}; 1 host reachable`)).toBe(true);
      expect([r.stderr, r.code]).toEqual(n === 1 ? [`xenherdctl: ${why}\n`, 0] : ['', 1]);
    }
  });

  it('the primary back but idle (the agents still on the standby): where and check are answered by the standby; check WARNs, not CRITICAL', async () => {
    const { a, b, ca } = await pair();
    const token = await a.enroll('xen1');
    copyTokens(a, b);
    await reporting(b, 'xen1', token, ['web01']);
    const env = { XENHERD_URL: `${a.url},${b.url}`, XENHERD_CA: ca };
    const w = await ctlFor(a)(['where', 'web01'], env);
    expect(w.code).toBe(0);
    expect(w.stderr).toBe(`xenherdctl: ${label(a.url)} hears no Dom0; answered by ${label(b.url)}, which hears 1 of 1 Dom0\n`);
    const c = await ctlFor(a)(['check'], env);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(new RegExp(`^XENHERD WARNING - ${label(a.url)} hears no Dom0; answered by ${label(b.url)}, which hears 1 of 1 Dom0; 1 host reachable`));
    expect(c.stdout).toContain(`\nWARNING: ${label(a.url)} hears no Dom0; answered by`);
    const cj = await ctlFor(a)(['check', '--json'], env);
    expect(cj.code).toBe(1);
    expect(JSON.parse(cj.stdout)).toMatchObject({ status: 'WARNING', details: [{ status: 'WARNING' }] });
  });

  it('a primary that hears every Dom0 answers alone: the standby is not asked, nothing on stderr', async () => {
    const a = await bed.start();
    await reporting(a, 'xen1', await a.enroll('xen1'), ['web01']);
    const standby = await counting();
    const r = await ctlFor(a)(['where', 'web01'], { XENHERD_URL: `${a.url},${standby.url}` });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^web01 {2}xen1/);
    expect(standby.asked()).toBe(0);
  });

  it('a primary refusing the token ends there (88): a standby is not asked in its place', async () => {
    const a = await bed.start();
    const standby = await counting();
    const r = await ctlFor(a, `xh1.000000000000.${'a'.repeat(43)}`)(['where', 'web01'], { XENHERD_URL: `${a.url},${standby.url}` });
    expect(r.code).toBe(88);
    expect(r.stderr).toMatch(new RegExp(`^xenherdctl: XH_ERR_AUTH: ${label(a.url)}: `));
    expect(standby.asked()).toBe(0);
  });

  it("a primary whose certificate is refused ends there (87 with the CA's fix): a standby, a copy with the same certificate, is not asked", async () => {
    const { a, b } = await pair();
    const standby = await counting();
    const r = await ctlFor(a)(['hosts'], { XENHERD_URL: `${a.url},${standby.url}`, XENHERD_CA: b.caFile });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(new RegExp(`^xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at ${a.url}: .*which is not in the CA file`));
    expect(standby.asked()).toBe(0);
  });

  it('every controller down: 87, each named with why', async () => {
    const [d1, d2] = [await deadUrl(), await deadUrl()];
    const r = await ctlFor(null)(['hosts'], { XENHERD_URL: `${d1},${d2}`, XENHERD_TOKEN: `xh1.000000000000.${'a'.repeat(43)}` });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(new RegExp(`^xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach any of the 2 controllers: ${label(d1)}: ECONNREFUSED.*; ${label(d2)}: ECONNREFUSED`));
  });

  it('an operating command goes to the controller that hears the Dom0 it names, though the primary hears others', async () => {
    const { a, b, ca } = await pair();
    await reporting(a, 'xen1', await a.enroll('xen1'), ['web01']);
    const token = await a.enroll('xen2');
    copyTokens(a, b);
    await reporting(b, 'xen2', token, ['web02']);
    const env = { XENHERD_URL: `${a.url},${b.url}`, XENHERD_CA: ca };
    const p = await ctlFor(a)(['plan', 'drain', 'xen2', '--json'], env);
    expect(p.stderr).toBe(`xenherdctl: ${label(a.url)} does not hear xen2; answered by ${label(b.url)}, which hears xen2\n`);
    // the standby's plan: only it hears xen2, and knows web02 runs there (no config for it reported: it cannot move, 1)
    expect(JSON.parse(p.stdout)).toMatchObject({ kind: 'drain', hosts: ['xen2'], leftovers: [{ name: 'web02', host: 'xen2' }] });
    expect(p.code).toBe(1);
    // a read command: the primary hears one of its Dom0s, the standby another; the primary answers, and says the fleet is split
    const h = await ctlFor(a)(['hosts', '--json'], env);
    expect(h.code).toBe(0);
    expect((JSON.parse(h.stdout) as { hosts: { host: string }[] }).hosts.map((x) => x.host)).toEqual(['xen1', 'xen2']);
    expect(h.stderr).toBe(`xenherdctl: ${label(b.url)} hears 1 of 2 Dom0s; answered by ${label(a.url)}, which hears 1 of 2 Dom0s\n`);
  });
});

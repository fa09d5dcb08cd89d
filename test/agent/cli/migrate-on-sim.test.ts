import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import { PeerLineSchema, type PeerLine } from '../../../shared/protocol/peer.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, runAsync } from '../run/agent-process.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';
import { DB1_ON_XEN2, pairFleet } from '../../harness/pair-fleet.js';
import { until } from '../../helpers/until.js';

// The migration commands as processes (the built bundle) on the simulator: what they print, their
// exit codes, the forced command's JSON lines, `status ALL` and `reconcile`. The ssh hop is played
// by running the forced command with SSH_ORIGINAL_COMMAND set, as sshd would (test/ssh/ runs the
// same through a real sshd); the plans themselves are tested in process (test/agent/migrate/).
const FLEET = pairFleet({ bandwidth: 65536, more: DB1_ON_XEN2 });

let agent: { path: string; cleanup: () => void };
let sim: Sim;
beforeAll(() => {
  agent = buildAgent();
}, 120_000);
afterAll(() => agent?.cleanup());
let standIns: Record<string, Server> = {};
afterEach(async () => {
  for (const s of Object.values(standIns)) s.close();
  standIns = {};
  await sim?.stop();
});

const HOSTS = ['xen1', 'xen2'];
/**
 * The forced command refuses unless its peer's sshd is reachable (TCP). The ssh hop itself is
 * played by setting SSH_ORIGINAL_COMMAND here, so each host's "sshd" is a loopback listener that
 * only accepts; each host's agent.json points migration.peers at the other's.
 */
async function withSshdStandIns(s: Sim): Promise<Sim> {
  for (const h of HOSTS) {
    const srv = createServer((c) => c.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    standIns[h] = srv;
  }
  for (const h of HOSTS) {
    const peers = Object.fromEntries(HOSTS.filter((p) => p !== h).map((p) => [p, { address: '127.0.0.1', port: (standIns[p]!.address() as { port: number }).port }]));
    const etc = join(s.hostRoot(h), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers } }));
    writeRootSshConfig(s.hostRoot(h), peers);
  }
  return s;
}
const simWith = async (fleet: string): Promise<Sim> => withSshdStandIns(await startSim({ fleet, clock: 'real' }));

const cli = (host: string, args: string[], extra: Record<string, string> = {}) => runAsync(process.execPath, [agent.path, ...args], { ...sim.env(host), ...extra });
const forced = (host: string, peer: string, cmd: string) => cli(host, ['migrate2', '--peer', peer], { SSH_ORIGINAL_COMMAND: cmd });
const ledger = (host: string): Ledger => {
  const r = ledgerStore(join(sim.hostRoot(host), 'var/lib/xenherd'), host).read();
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const xlNames = (host: string): string[] => sim.state().domains.filter((d) => d.host === host).map((d) => d.name).sort();
const statusAll = async (host: string) => {
  const r = await cli(host, ['status', 'ALL', '--json']);
  return { code: r.code, json: JSON.parse(r.stdout) as { domus: { name: string; place: string; awayOn: string | null; here: string | null }[]; mismatches: { kind: string; domu: string }[] } };
};

const lines = (stdout: string): PeerLine[] => stdout.trim().split('\n').filter((l) => l !== '').map((l) => PeerLineSchema.parse(JSON.parse(l)));

describe('migration commands as processes on the simulator', () => {
  it('migrate --no-peer moves web1 and exits 86 naming the command that finishes it; the forced command answers in JSON lines', async () => {
    sim = await simWith(FLEET);
    const m = await cli('xen1', ['migrate', 'web1', '--no-peer']);
    expect(m.code).toBe(86);
    expect(m.stdout).toMatch(/^checking before moving web1: that web1 runs here; that xen2 holds a replica of r1, in step \(Connected, UpToDate\/UpToDate\); that the migration itself goes to this same xen2\nmigrating web1 from xen1 to xen2 \(operation [0-9a-f-]+\)\n/);
    expect(m.stdout).toMatch(/Migration successful\./);
    expect(m.stderr).toContain('XH_ERR_MIGRATION_PARTIAL');
    expect(m.stderr).toContain('to finish: on xen2: xenherd-agent reconcile web1 --home xen1');
    expect(ledger('xen1').away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', reason: 'manual' });
    // what telling the target does over ssh: the home asks `status web1` through the forced command
    const st = await forced('xen2', 'xen1', 'status web1');
    expect(st.code).toBe(0);
    expect(lines(st.stdout)).toEqual([expect.objectContaining({ t: 'status', host: 'xen2', name: 'web1', present: 'here', home: 'xen1', freeMemMiB: expect.any(Number) })]);
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
    expect((await statusAll('xen1')).json.domus.find((d) => d.name === 'web1')).toMatchObject({ place: 'away', awayOn: 'xen2', here: null });
    expect((await statusAll('xen2')).json.domus.find((d) => d.name === 'web1')).toMatchObject({ place: 'visitor' });
    // the reverse as xen1's `reverse web1` asks for it over ssh
    const back = await forced('xen2', 'xen1', 'migrate2 web1');
    expect(back.code).toBe(0);
    const out = lines(back.stdout);
    expect(out.slice(0, 2)).toMatchObject([
      { t: 'progress', line: "checking before moving web1: that web1 runs here; that xen1 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen1; that xen1's sshd answers" },
      { t: 'progress', line: expect.stringMatching(/^migrating web1 from xen2 to xen1/) },
    ]);
    expect(out.at(-1)).toMatchObject({ t: 'result', ok: true, code: null, message: 'web1 migrated from xen2 to xen1' });
    expect(ledger('xen2').visitors).toEqual({});
    // xen1's ledger still says away (its own `reverse` would have updated it): reported, not rewritten
    const s3 = await statusAll('xen1');
    expect(s3.code).toBe(85);
    expect(s3.json.mismatches).toEqual([expect.objectContaining({ kind: 'away-but-running-here', domu: 'web1' })]);
    const rec = await cli('xen1', ['reconcile', 'web1']);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/^xen1: away-but-running-here: web1 runs here: its away record \(to xen2\) is dropped \(xl list confirms; operation reconcile-/);
    expect((await statusAll('xen1')).code).toBe(0);
  }, 60_000);

  it("status's hint for a guest running here unrecorded is the reconcile that records it (--home HOST), and it works", async () => {
    sim = await simWith(FLEET);
    const moved = await runAsync('xl', ['migrate', 'web1', 'xen2'], sim.env('xen1'));
    expect(moved.code, moved.stderr).toBe(0);
    const st = await cli('xen2', ['status']);
    expect(st.code).toBe(85);
    expect(st.stdout).toMatch(/MISMATCH unrecorded-guest: web1 /);
    expect(st.stderr).toContain('a guest running here unrecorded: `xenherd-agent reconcile NAME --home HOST`, HOST its home');
    const rec = await cli('xen2', ['reconcile', 'web1', '--home', 'xen1']);
    expect([rec.code, rec.stderr]).toEqual([0, '']);
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
    expect((await cli('xen2', ['status'])).code).toBe(0);
  }, 60_000);

  it('migrate --dry-run prints the plan and the preflight verdict and moves nothing', async () => {
    sim = await simWith(FLEET);
    const r = await cli('xen1', ['migrate', 'web1', '--dry-run']);
    expect(r.stdout).toMatch(/^plan: migrate web1 from xen1 to xen2 \(operation /);
    expect(r.stdout).toMatch(/^ {2}3\. live-migrate web1 to xen2/m);
    expect(r.stdout).toMatch(/^ {2}FAIL the migration key .*migrate_key is missing or unreadable: run `xenherd-agent keys setup xen2`/m);
    expect(r.stdout).toMatch(/^verdict: would refuse \(XH_ERR_FILE\); nothing moved$/m);
    expect(r.code).toBe(74);
    expect(sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
  }, 60_000);

  it('migrate refuses a migration key others may read, naming the chmod, as OpenSSH would', async () => {
    sim = await simWith(FLEET);
    const key = join(sim.hostRoot('xen1'), 'etc/xenherd/migrate_key');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o644 });
    chmodSync(key, 0o644);
    const r = await cli('xen1', ['migrate', 'web1', '--dry-run']);
    expect(r.stdout).toMatch(/^ {2}FAIL the migration key \S*migrate_key may be read by others than its owner \(mode 0644\): run `chmod 600 \S*migrate_key`/m);
    expect(r.code).toBe(74);
  }, 60_000);

  it('reconcile --home must name a host of the domU\'s DRBD resources, and is stored as the .res files spell it', async () => {
    sim = await simWith(FLEET);
    expect((await cli('xen1', ['migrate', 'web1', '--no-peer'])).code).toBe(86);
    const wrong = await cli('xen2', ['reconcile', 'web1', '--home', 'xen3']);
    expect([wrong.code, wrong.stderr]).toEqual([77, expect.stringMatching(/^xenherd-agent: XH_ERR_REFUSED: --home xen3: xen3 holds no replica of web1's DRBD resource r1 \(\S*r1\.res.* names xen1, xen2\): web1's home is one of those; nothing was changed\n$/)]);
    expect(ledger('xen2').visitors).toEqual({});
    const upper = await cli('xen2', ['reconcile', 'web1', '--home', 'XEN1']);
    expect(upper.code, upper.stderr).toBe(0);
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
  });

  it('a final-handshake failure: exit 83 with the ALARM in --json, kept in the ledger as unsettled until reconcile', async () => {
    sim = await simWith(FLEET);
    sim.migrationFault('web1', 'handshake');
    const m = await cli('xen1', ['migrate', 'web1', '--no-peer', '--json']);
    expect(m.code).toBe(83);
    const out = JSON.parse(m.stdout) as { ok: boolean; code: string; message: string };
    expect(out).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringMatching(/^ALARM: .*final-handshake.*; xen1's ledger keeps it as unsettled until `xenherd-agent reconcile web1` on xen1$/) });
    expect(ledger('xen1').away).toEqual({});
    // the ALARM outlives the command: kept in the ledger until a person settles it
    expect(ledger('xen1').unsettled).toEqual({ web1: { peer: 'xen2', since: expect.any(String), operationId: expect.any(String), operation: 'migrate', message: expect.stringMatching(/^ALARM: migration of web1 to xen2 ended undefined/) } });
    const st = await cli('xen1', ['status', 'ALL']);
    expect(st.code).toBe(83);
    expect(st.stdout).toMatch(/^ {2}ALARM unsettled: web1: its migrate with xen2 \(operation .*\) ended in an ALARM: ALARM: migration of web1 to xen2 ended undefined/m);
    expect(st.stderr).toMatch(/XH_ERR_MIGRATION_UNKNOWN: 1 migration\(s\) from here ended in an ALARM nobody has settled/);
    // both halves stand: reconcile waits for the person to decide which one lives
    expect((await cli('xen1', ['reconcile', 'web1'])).code).toBe(77);
    const halves = sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.name}@${d.host}`);
    expect(halves.sort()).toEqual(['web1--incoming@xen2', 'web1--migratedaway@xen1']);
    expect((await sim.run('xen1', 'xl', ['destroy', 'web1--migratedaway'])).exitCode).toBe(0);
    const rec = await cli('xen1', ['reconcile', 'web1', '--json']);
    expect(rec.code).toBe(0);
    expect(JSON.parse(rec.stdout)).toMatchObject({ ok: true, changed: true, settled: { peer: 'xen2', operation: 'migrate' }, message: expect.stringMatching(/the ALARM of its migrate with xen2 .* is settled: xl list/) });
    expect(ledger('xen1').unsettled).toEqual({});
    expect((await cli('xen1', ['status', 'ALL'])).code).not.toBe(83);
  }, 60_000);

  it('a migrate process killed mid-copy leaves its trace: status shows the interrupted migration as an ALARM (83) until reconcile', async () => {
    sim = await simWith(pairFleet({ bandwidth: 512, more: DB1_ON_XEN2 }));
    const child = spawn(process.execPath, [agent.path, 'migrate', 'web1', '--no-peer'], { env: { ...process.env, ...sim.env('xen1') }, stdio: 'ignore' });
    const ended = new Promise<void>((r) => child.once('close', () => r()));
    try {
      await until(() => sim.state().domains.some((d) => d.name === 'web1--incoming'), 'the copy of web1 begun (web1--incoming on xen2)', { limitMs: 20_000 });
      expect(ledger('xen1').inflight).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'migrate', holder: expect.stringMatching(new RegExp(`^${String(child.pid)} `)) }) });
    } finally {
      child.kill('SIGKILL');
      await ended;
    }
    // the copy runs on without the process that started it: wait for its ending, whichever it is
    await until(() => !sim.state().domains.some((d) => d.name.startsWith('web1--')), () => `the copy of web1 ended (left: ${sim.state().domains.map((d) => `${d.name}@${d.host}`).join(' ')})`, { limitMs: 30_000 });
    const st = await cli('xen1', ['status', 'ALL']);
    expect(st.code).toBe(83);
    expect(st.stdout).toMatch(new RegExp(`^ {2}ALARM unsettled: web1: its migrate with xen2 \\(operation .*\\) ended in an ALARM: ALARM: the migrate of web1 with xen2 was interrupted: process ${String(child.pid)}, which ran it, ended before its outcome was known`, 'm'));
    // read as unsettled; the file keeps the record as written until the next write
    expect(ledger('xen1')).toMatchObject({ inflight: {}, unsettled: { web1: { operation: 'migrate' } } });
    const file = join(sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ inflight: { web1: { peer: 'xen2' } } });
    const rec = await cli('xen1', ['reconcile', 'web1', '--json']);
    expect(rec.code).toBe(0);
    expect(JSON.parse(rec.stdout)).toMatchObject({ ok: true, changed: true, settled: { peer: 'xen2', operation: 'migrate' } });
    expect([ledger('xen1').inflight, ledger('xen1').unsettled]).toEqual([{}, {}]);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(['schema', 'host', 'seq', 'away', 'visitors']);
    expect((await cli('xen1', ['status', 'ALL'])).code).not.toBe(83);
  }, 60_000);

  it('move-stop by hand records the move as manual; the daemon passes drain for a controller', async () => {
    sim = await simWith(FLEET);
    const m = await cli('xen1', ['move-stop', 'web1', '--to', 'xen2', '--timeout', '60']);
    expect(m.code, m.stderr).toBe(0);
    expect(ledger('xen1').away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', reason: 'manual' });
    expect(xlNames('xen1')).not.toContain('web1');
  }, 60_000);

  it('refuses a second migration of the same domU while one holds its lock (81)', async () => {
    sim = await simWith(pairFleet({ bandwidth: 512, more: DB1_ON_XEN2 }));
    const first = cli('xen1', ['migrate', 'web1', '--no-peer']);
    await until(() => sim.commandLog.some((c) => c.argv[0] === 'migrate'), "the first migrate's xl migrate begun", { limitMs: 20_000 });
    const second = await cli('xen1', ['migrate', 'web1', '--no-peer']);
    expect(second.code).toBe(81);
    expect((await first).code).toBe(86);
  }, 60_000);

  it("migrate2 refuses, with nothing migrated, when its peer's sshd is not reachable (84)", async () => {
    sim = await simWith(FLEET);
    expect((await cli('xen1', ['migrate', 'web1', '--no-peer'])).code).toBe(86);
    await forced('xen2', 'xen1', 'status web1');
    await new Promise<void>((r) => standIns['xen1']!.close(() => r()));
    const seqBefore = sim.commandLog.length;
    const back = await forced('xen2', 'xen1', 'migrate2 web1');
    expect(back.code).toBe(84);
    expect(lines(back.stdout)).toEqual([
      expect.objectContaining({ t: 'progress', line: "checking before moving web1: that web1 runs here; that xen1 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen1; that xen1's sshd answers" }),
      expect.objectContaining({ t: 'result', ok: false, code: 'XH_ERR_PEER_UNREACHABLE', message: expect.stringMatching(/xen1's sshd \(127\.0\.0\.1:\d+\) is not reachable from xen2: ECONNREFUSED/) }),
    ]);
    expect(back.stderr).toContain('XH_ERR_PEER_UNREACHABLE');
    expect(sim.commandLog.slice(seqBefore).filter((c) => c.argv[0] === 'migrate')).toEqual([]);
    expect(xlNames('xen2')).toContain('web1');
  }, 60_000);

  it('keys setup without --from names the address of the route to the peer', async () => {
    sim = await simWith(FLEET);
    const r = await cli('xen1', ['keys', 'setup', 'xen2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^restrict,from="127\.0\.0\.1",command="\/usr\/sbin\/xenherd-agent migrate2 --peer xen1" ssh-ed25519 /m);
    writeFileSync(join(sim.hostRoot('xen1'), 'etc/xenherd/agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: 'no-such-host.invalid' } } } }));
    const bad = await cli('xen1', ['keys', 'setup', 'xen2']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/cannot tell which address xen2 sees this host connect from \(no-such-host\.invalid: .*\): give --from IP/);
  }, 60_000);

  it('keys setup prints the public half of the private key itself: a .pub that does not match is named, not used', async () => {
    sim = await simWith(FLEET);
    const first = await cli('xen1', ['keys', 'setup', 'xen2', '--from', '127.0.0.1']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const key = /^# created (\S+)$/m.exec(first.stdout)?.[1] ?? '';
    expect(existsSync(key), first.stdout).toBe(true);
    // ssh-keygen -y: the public half as OpenSSH reads it from the private key (the comment after it)
    const own = (await runAsync('ssh-keygen', ['-y', '-f', key], {})).stdout.trim().split(' ').slice(0, 2).join(' ');
    expect(first.stdout).toContain(`command="/usr/sbin/xenherd-agent migrate2 --peer xen1" ${own} xenherd-migrate@xen1\n`);
    // the key replaced by hand, its .pub left from the old one: the line carries the new key
    const other = join(sim.hostRoot('xen1'), 'other_key');
    expect((await runAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'replaced', '-f', other], {})).code).toBe(0);
    const oldPub = readFileSync(`${key}.pub`, 'utf8');
    writeFileSync(key, readFileSync(other, 'utf8'));
    const next = await cli('xen1', ['keys', 'setup', 'xen2', '--from', '127.0.0.1']);
    expect(next.code).toBe(0);
    const newPub = readFileSync(`${other}.pub`, 'utf8').trim();
    expect(next.stdout).toContain(` ${newPub}\n`);
    expect(next.stdout).not.toContain(oldPub.split(' ')[1]);
    expect(next.stderr).toBe(`xenherd-agent: warning: ${key}.pub is not the public half of ${key}: the line below is ${key}'s own; to mend the .pub: ssh-keygen -y -f ${key} > ${key}.pub\n`);
    // not a key at all, and a key of another type: refused, naming the file and the fix
    writeFileSync(key, 'not a key\n');
    const garbage = await cli('xen1', ['keys', 'setup', 'xen2', '--from', '127.0.0.1']);
    expect(garbage.code).toBe(77);
    expect(garbage.stderr).toContain(`${key} is not a private key ssh can use (`);
    expect(garbage.stderr).toContain(`remove ${key} and its .pub to create one`);
    rmSync(key);
    rmSync(`${key}.pub`);
    expect((await runAsync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', key], {})).code).toBe(0);
    const rsa = await cli('xen1', ['keys', 'setup', 'xen2', '--from', '127.0.0.1']);
    expect(rsa.code).toBe(77);
    expect(rsa.stderr).toContain(`${key} is a ssh-rsa key, not ed25519: remove ${key} and its .pub to create one`);
  }, 60_000);

  it('status with a problem reading the host (migrate-tab a directory) lists it and exits with its code, not 0', async () => {
    sim = await simWith(FLEET);
    const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
    const tabDir = join(sim.hostRoot('xen1'), 'etc/xen/tab-dir');
    mkdirSync(tabDir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(etc, 'agent.json'), 'utf8')) as { migration: Record<string, unknown> };
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { ...cfg.migration, migrateTab: '/etc/xen/tab-dir' } }));
    const st = await cli('xen1', ['status', 'ALL', '--json']);
    const out = JSON.parse(st.stdout) as { ok: boolean; problems: { code: string; message: string }[] };
    expect(out.problems.map((p) => p.message).join('\n')).toMatch(/migrate-tab unreadable/);
    expect(out.ok).toBe(false);
    expect([st.code, out.problems[0]?.code]).toEqual([74, 'XH_ERR_FILE']);
  });
});

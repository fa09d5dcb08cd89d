import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, runAsync } from '../run/agent-process.js';

// migrate / status / the migrate2 forced command against the simulator, including every failure
// phase it can inject: after each scenario the ledger, `status ALL` and `xl list` agree.
// (The ssh hop is played here by running the forced command with SSH_ORIGINAL_COMMAND set, as
// sshd would; test/ssh/ runs the same through a real sshd.)
const FLEET = `option bandwidth=65536 connect-delay=0
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu db1 mem=4096 vcpus=4 home=xen2 peer=xen1 drbd=r2 running=xen2
`;

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
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers } }));
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

describe('migrate, status and migrate2 on the simulator', () => {
  it('migrates web1 to its peer, both ledgers record it, and migrate2 brings it back', async () => {
    sim = await simWith(FLEET);
    const m = await cli('xen1', ['migrate', 'web1']);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/migrating web1 from xen1 to xen2/);
    expect(m.stdout).toMatch(/Migration successful\./);
    expect(m.stdout).toMatch(/Success\.\n$/);
    expect(xlNames('xen1')).not.toContain('web1');
    expect(xlNames('xen2')).toContain('web1');
    expect(ledger('xen1').away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', reason: 'manual' });
    // what the target confirmation does over ssh: the home asks `status web1` through the forced command
    const st = await forced('xen2', 'xen1', 'status web1');
    expect(st.stdout).toMatch(/^status web1 here (running|blocked) home xen1 on xen2\n$/);
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
    const s1 = await statusAll('xen1');
    expect(s1.code).toBe(0);
    expect(s1.json.domus.find((d) => d.name === 'web1')).toMatchObject({ place: 'away', awayOn: 'xen2', here: null });
    const s2 = await statusAll('xen2');
    expect(s2.code).toBe(0);
    expect(s2.json.domus.find((d) => d.name === 'web1')).toMatchObject({ place: 'visitor' });

    // the reverse, as xen1's `reverse web1` asks for it over ssh
    const back = await forced('xen2', 'xen1', 'migrate2 web1');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/^progress: migrating web1 from xen2 to xen1/m);
    expect(back.stdout).toMatch(/^result: ok web1 migrated from xen2 to xen1/m);
    expect(xlNames('xen1')).toContain('web1');
    expect(ledger('xen2').visitors).toEqual({});
    expect((await statusAll('xen2')).code).toBe(0);
    // xen1's ledger still says away (its own `reverse` updates it): reported, not rewritten
    const s3 = await statusAll('xen1');
    expect(s3.code).toBe(85);
    expect(s3.json.mismatches).toEqual([expect.objectContaining({ kind: 'away-but-running-here', domu: 'web1' })]);
    expect(ledger('xen1').away['web1']).toBeDefined();
    // the operator, having checked, accepts what xl list shows
    const rec = await cli('xen1', ['reconcile', 'web1']);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/^xen1: away-but-running-here: web1 runs here: its away record \(to xen2\) is dropped \(xl list confirms; operation reconcile-/);
    expect(ledger('xen1').away).toEqual({});
    expect((await statusAll('xen1')).code).toBe(0);
    expect((await cli('xen1', ['reconcile', 'web1'])).stdout).toBe('the ledger and xl list agree about web1: nothing to reconcile\n');
  }, 60_000);

  it.each([
    ['before', 82],
    ['target', 82],
    ['handshake', 83],
  ] as const)('migration failing at %s: exit %i, ledger unchanged, status ALL and xl list agree', async (phase, exit) => {
    sim = await simWith(FLEET);
    sim.migrationFault('web1', phase);
    const m = await cli('xen1', ['migrate', 'web1', '--json']);
    expect(m.code).toBe(exit);
    const out = JSON.parse(m.stdout) as { ok: boolean; code: string; message: string };
    expect(out.ok).toBe(false);
    if (phase === 'handshake') {
      expect(out.code).toBe('XH_ERR_MIGRATION_UNKNOWN');
      expect(out.message).toMatch(/^ALARM: .*final-handshake/);
    } else {
      expect(out.code).toBe('XH_ERR_MIGRATION_FAILED');
      expect(out.message).toMatch(/still runs on xen1, the ledger is unchanged/);
      expect(xlNames('xen1')).toContain('web1');
      expect(xlNames('xen2')).not.toContain('web1');
    }
    expect(ledger('xen1').away).toEqual({});
    expect(ledger('xen1').seq).toBe(0);
    const s = await statusAll('xen1');
    expect(s.code).toBe(0);
    const row = s.json.domus.find((d) => d.name === 'web1');
    expect(row?.place).toBe('home');
    expect(row?.here).toMatch(phase === 'handshake' ? /web1--migratedaway/ : /^(running|blocked)$/);
  }, 60_000);

  it('refuses a second migration of the same domU while one holds its lock', async () => {
    sim = await simWith(FLEET.replace('bandwidth=65536', 'bandwidth=1024'));
    const first = cli('xen1', ['migrate', 'web1']);
    await new Promise((r) => setTimeout(r, 1200));
    const second = await cli('xen1', ['migrate', 'web1']);
    expect([81, 77]).toContain(second.code);
    expect((await first).code).toBe(0);
  }, 60_000);

  it("migrate2 refuses, with nothing migrated, when its peer's sshd is not reachable (exit 84)", async () => {
    sim = await simWith(FLEET);
    expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    await forced('xen2', 'xen1', 'status web1');
    await new Promise<void>((r) => standIns['xen1']!.close(() => r()));
    const seqBefore = sim.commandLog.length;
    const back = await forced('xen2', 'xen1', 'migrate2 web1');
    expect(back.code).toBe(84);
    expect(back.stdout).toMatch(/^result: refused XH_ERR_PEER_UNREACHABLE: xen1's sshd \(127\.0\.0\.1:\d+\) is not reachable from xen2: ECONNREFUSED; web1 stays here\n$/);
    expect(back.stderr).toContain('XH_ERR_PEER_UNREACHABLE');
    expect(sim.commandLog.slice(seqBefore).filter((c) => c.argv[0] === 'migrate')).toEqual([]);
    expect(xlNames('xen2')).toContain('web1');
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
  }, 60_000);

  it('a visitor only goes home; sent home from the visiting host, the home learns it from the status question', async () => {
    sim = await simWith(FLEET);
    expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    await forced('xen2', 'xen1', 'status web1');
    const third = await cli('xen2', ['migrate', 'web1', 'xen3']);
    expect(third.code).toBe(77);
    expect(third.stderr).toContain('web1 is a visitor from xen1: it can only go back there');
    const home = await cli('xen2', ['migrate', 'web1']);
    expect(home.code).toBe(0);
    expect(home.stdout).toMatch(/migrating web1 from xen2 to xen1/);
    expect(xlNames('xen1')).toContain('web1');
    expect(ledger('xen2').visitors).toEqual({});
    // what `migrate` asks the target over ssh afterwards (here without the ssh hop)
    const st = await forced('xen1', 'xen2', 'status web1');
    expect(st.stdout).toMatch(/^status web1 here (running|blocked) home xen1 on xen1\n$/);
    expect(st.code).toBe(0);
    expect(ledger('xen1').away).toEqual({});
    expect((await statusAll('xen1')).code).toBe(0);
    expect((await statusAll('xen2')).code).toBe(0);
    // asked by another host while web1 is away again, the home answers "absent" and keeps its record
    await cli('xen1', ['migrate', 'web1']);
    const wrongPeer = await forced('xen1', 'xen3', 'status web1');
    expect(wrongPeer.code).toBe(0);
    expect(wrongPeer.stdout).toMatch(/^status web1 absent on xen1\n$/);
    expect(ledger('xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
  }, 60_000);

  it('keys setup without --from names the address of the route to the peer', async () => {
    sim = await simWith(FLEET);
    const r = await cli('xen1', ['keys', 'setup', 'xen2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^restrict,from="127\.0\.0\.1",command="\/usr\/sbin\/xenherd-agent migrate2 --peer xen1" ssh-ed25519 /m);
    // no route to tell (a name that does not resolve): the operator is asked for --from
    writeFileSync(join(sim.hostRoot('xen1'), 'etc/xenherd/agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: 'no-such-host.invalid' } } } }));
    const bad = await cli('xen1', ['keys', 'setup', 'xen2']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/cannot tell which address xen2 sees this host connect from \(no-such-host\.invalid: .*\): give --from IP/);
  }, 60_000);

  it('a domU guarded on both Dom0s of its pair: the host it left is its home, the other records a visitor', async () => {
    sim = await simWith(FLEET.replace(/ migrate-tab=yes/g, ''));
    // the same config in xen2's guarded dir too (either Dom0 may start web1 after a reboot)
    const cfg = readFileSync(join(sim.hostRoot('xen1'), 'etc/xen/drbd-auto/web1.cfg'), 'utf8');
    writeFileSync(join(sim.hostRoot('xen2'), 'etc/xen/drbd-auto/web1.cfg'), cfg);
    expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    expect(ledger('xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
    const st = await forced('xen2', 'xen1', 'status web1');
    expect(st.stdout).toMatch(/^status web1 here (running|blocked) home xen1 on xen2\n$/);
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
    const s2 = await statusAll('xen2');
    expect(s2.code).toBe(0);
    expect(s2.json.domus.find((d) => d.name === 'web1')).toMatchObject({ place: 'visitor' });
    // a host that is not web1's DRBD partner may not claim it
    expect((await forced('xen2', 'xen9', 'migrate2 web1')).code).toBe(77);
    const back = await forced('xen2', 'xen1', 'migrate2 web1');
    expect(back.stdout).toMatch(/^result: ok web1 migrated from xen2 to xen1/m);
    expect(back.code).toBe(0);
    expect(ledger('xen2').visitors).toEqual({});
    expect(ledger('xen2').away).toEqual({});
    expect((await statusAll('xen2')).code).toBe(0);
  }, 60_000);
});

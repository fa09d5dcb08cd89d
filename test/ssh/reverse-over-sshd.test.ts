import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { execOnPeer } from '../../agent/adapters/peer-ssh.js';
import type { Ledger } from '../../agent/state/ledger.js';
import { PeerLineSchema, type PeerLine } from '../../shared/protocol/peer.js';
import { HOSTILE_COMMANDS } from '../agent/parse/migrate2-corpus.js';
import { AgentProcess, liveProcessesMentioning, writeConfig } from '../agent/run/agent-process.js';
import { FAST_TIMERS } from '../agent/run/agent-test-bed.js';
import type { Sim } from '../sim/sim.js';
import { sshdInstalled } from './sshd.js';
import { PAIR_HOSTS, startSshdPair, type SshdPair } from './sshd-pair.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';

// Reverse migrations through a real OpenSSH sshd per simulated Dom0 (loopback, own config, host
// key and authorized_keys), driven with the agent's ssh2 client and with the system ssh client.
const FLEET = pairFleet({ bandwidth: 65536, more: DB1_ON_XEN2 });
let pair: SshdPair;
let sim: Sim;
const cli = (host: string, args: string[]) => pair.cli(host, args);
const sysSsh = (host: string, command: string) => pair.sysSsh(host, command);
const ledger = (host: string): Ledger => pair.ledger(host);
const xlNames = (host: string): string[] => pair.xlNames(host);
const peerLines = (stdout: string): PeerLine[] => stdout.trim().split('\n').filter((l) => l !== '').map((l) => PeerLineSchema.parse(JSON.parse(l)));
const statusCode = async (host: string): Promise<number | null> => (await cli(host, ['status', 'ALL'])).code;
const noneAway = (l: Ledger): Ledger => ({ ...l, away: {} });

// A real OpenSSH sshd is required, not optional: .ci/run installs openssh-server.
it('finds OpenSSH sshd, ssh and ssh-keygen installed (apt-get install -y openssh-server)', () => {
  expect(sshdInstalled()).toBe(true);
});

describe('reverse migrations over a real sshd', () => {
  beforeAll(async () => {
    pair = await startSshdPair(FLEET);
    sim = pair.sim;
  }, 120_000);

  afterAll(async () => pair?.stop());

  it('ping prints the PING/PONG exchange with both host names (ssh2)', async () => {
    const r = await cli('xen1', ['ping', 'xen2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('PING from xen1 ...\nPONG from xen2 ...\nSuccess.\n');
    expect(r.code).toBe(0);
  });

  it('ping of a name that reaches another Dom0 fails (77) naming both and what to check', async () => {
    // a stale address in xen1's config puts xen2's sshd (and its host key, scanned there) behind the name xen3
    const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
    const config = readFileSync(join(etc, 'agent.json'), 'utf8');
    const knownHosts = readFileSync(join(etc, 'known_hosts'), 'utf8');
    onTestFinished(() => {
      writeFileSync(join(etc, 'agent.json'), config);
      writeFileSync(join(etc, 'known_hosts'), knownHosts);
    });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: '127.0.0.1', port: pair.sshd['xen2']?.port }, xen3: { address: '127.0.0.1', port: pair.sshd['xen2']?.port } } } }));
    writeFileSync(join(etc, 'known_hosts'), `${knownHosts}xen3 ${pair.sshd['xen2']?.hostKeyPub}\n`);
    const r = await cli('xen1', ['ping', 'xen3']);
    expect(r.stdout).toBe('PING from xen1 ...\n');
    expect(r.stderr).toBe(
      "xenherd-agent: XH_ERR_REFUSED: xen3 answered `ping` as xen2: the name xen3 reaches another Dom0, so its answer is not used; check what xen3 stands for here (migration.peers.xen3 in the agent's config, its Host entry in ~/.ssh/config, /etc/hosts, DNS) and the host name of the Dom0 it reaches (`hostname` there)\n",
    );
    expect(r.code).toBe(77);
  });

  it('ping through the system ssh client: the answer is a line of the peer protocol', async () => {
    const r = await sysSsh('xen2', 'ping');
    expect(r.stdout).toBe('{"v":1,"t":"pong","host":"xen2"}\n');
    expect(r.code).toBe(0);
  });

  it('rejects hostile commands sent through sshd (system ssh and ssh2), running nothing', async () => {
    const sample = HOSTILE_COMMANDS.filter((c) => !c.includes('\0') && c.length < 2000).filter((_, i) => i % 25 === 0);
    const before = sim.commandLog.length;
    for (const c of sample) {
      const r = await sysSsh('xen2', c);
      expect({ c, code: r.code }).toEqual({ c, code: 80 });
      expect(peerLines(r.stdout)).toEqual([expect.objectContaining({ t: 'result', ok: false, code: 'XH_ERR_COMMAND_REJECTED' })]);
      const viaSsh2 = await execOnPeer(
        { name: 'xen2', address: '127.0.0.1', port: pair.sshd['xen2']?.port ?? 0, user: 'root', keyFile: join(sim.hostRoot('xen1'), 'etc/xenherd/migrate_key'), knownHostsFile: join(pair.dir, 'known_hosts_sys') },
        c,
        () => undefined,
      );
      expect(viaSsh2.ok && viaSsh2.value.exitCode).toBe(80);
    }
    expect(sim.commandLog.slice(before)).toEqual([]);
  }, 60_000);

  it('migrates web1 to xen2 (the target records its visitor over ssh), reverses it with ssh2, ledgers agree', async () => {
    const m = await cli('xen1', ['migrate', 'web1']);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/xen2 confirmed it runs web1/);
    expect(ledger('xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
    expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
    expect(await statusCode('xen1')).toBe(0);
    expect(await statusCode('xen2')).toBe(0);

    const r = await cli('xen1', ['reverse', 'web1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xen2: migrating web1 from xen2 to xen1/m);
    expect(r.stdout).toMatch(/web1 is back on xen1; ledger updated\nSuccess\.\n$/);
    expect(xlNames('xen1')).toContain('web1');
    expect(xlNames('xen2')).not.toContain('web1');
    expect(ledger('xen1').away).toEqual({});
    expect(ledger('xen2').visitors).toEqual({});
    expect(await statusCode('xen1')).toBe(0);
    expect(await statusCode('xen2')).toBe(0);
  }, 60_000);

  it('migrate2 through the system ssh client streams progress and a result', async () => {
    expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    const r = await sysSsh('xen2', 'migrate2 web1 --live');
    expect(r.code).toBe(0);
    const out = peerLines(r.stdout);
    expect(out.slice(0, 2)).toMatchObject([
      { t: 'progress', line: "checking before moving web1: that web1 runs here; that xen1 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen1; that xen1's sshd answers" },
      { t: 'progress', line: expect.stringMatching(/^migrating web1 from xen2 to xen1/) },
    ]);
    expect(out.at(-1)).toMatchObject({ t: 'result', ok: true, message: 'web1 migrated from xen2 to xen1' });
    expect(xlNames('xen1')).toContain('web1');
    // xen1's own ledger learns it with its next reverse/status: reported as a mismatch meanwhile
    expect(await statusCode('xen1')).toBe(85);
    expect(ledger('xen2').visitors).toEqual({});
  }, 60_000);

  it("a peer's migrate2 killed mid-migration: reverse asks where web1 is (83), keeps it as unsettled, and the state is settled by hand", async () => {
    await pair.setLedger('xen1', noneAway);
    expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
    // xen2's xl migrate never gets anywhere: the kill below, not the migration, ends the forced command
    sim.toolFault('xen2', 'xl', { kind: 'hang' }, { argvPrefix: ['migrate'], times: 1 });
    const before = sim.commandLog.length;
    const reverse = cli('xen1', ['reverse', 'web1']);
    try {
      let forcedPid = 0;
      for (let i = 0; i < 400 && forcedPid === 0; i++) {
        const migrating = sim.commandLog.slice(before).some((c) => c.host === 'xen2' && c.argv[0] === 'migrate');
        const p = liveProcessesMentioning(`${pair.agentPath} migrate2 --peer xen1`)[0];
        if (migrating && p) forcedPid = Number(p.split(':')[0]);
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(forcedPid).toBeGreaterThan(0);
      // sshd runs the forced command as a session leader: its group holds the xl it started too
      process.kill(-forcedPid, 'SIGKILL');
    } finally {
      sim.clearToolFaults();
    }
    const r = await reverse;
    expect(r.code).toBe(83);
    // xen1 asked xen2 where web1 is, over a new connection, and says what it found
    expect(r.stderr).toMatch(/XH_ERR_MIGRATION_UNKNOWN: xen2's migrate2 ended without an exit status .*: web1 still runs on xen2, not on xen1; its migrate2 may still be running there, so the ledger is unchanged: run `xenherd-agent status web1` on xen2 until/);
    expect(ledger('xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
    expect(ledger('xen1').unsettled['web1']).toMatchObject({ peer: 'xen2', operation: 'reverse' });
    expect(await statusCode('xen1')).toBe(83);
    expect(sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.host}:${d.name}`)).toEqual(['xen2:web1']);
    // by hand: bring it home, then accept what xl list shows on xen1, which settles the ALARM too
    expect((await sysSsh('xen2', 'migrate2 web1')).code).toBe(0);
    expect((await cli('xen1', ['reconcile', 'web1'])).code).toBe(0);
    expect(ledger('xen1').unsettled).toEqual({});
    expect(await statusCode('xen1')).toBe(0);
  }, 90_000);

  it('with agents running on both Dom0s, migrate and reverse hold web1 in each daemon and start nothing', async () => {
    // the previous test left xen1's ledger saying web1 is away (a reported mismatch): start clean
    await pair.setLedger('xen1', noneAway);
    const agents = PAIR_HOSTS.map((h) => new AgentProcess(pair.agentPath, sim, h, writeConfig(pair.dir, FAST_TIMERS)));
    try {
      for (const a of agents) await a.waitLog((l) => l.msg.startsWith('ready'));
      const [a1, a2] = agents as [AgentProcess, AgentProcess];
      const createsBefore = sim.commandLog.filter((c) => c.argv[0] === 'create').length;
      expect((await cli('xen1', ['migrate', 'web1'])).code).toBe(0);
      await a1.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate');
      const r = await cli('xen1', ['reverse', 'web1']);
      expect(r.code).toBe(0);
      // the home held it while it came back; the forced command on xen2 held it in xen2's agent
      // (their log lines reach this process through pipes: wait for them, do not just look)
      await a1.waitLog((l) => l.domu === 'web1' && l.hold === 'reverse');
      await a2.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate2' && String(l.msg).includes('xenherd-agent migrate2'));
      await a1.waitLog((l) => l.hold === 'reverse' && String(l.msg).startsWith('web1 released'));
      await a2.waitLog((l) => l.hold === 'migrate2' && String(l.msg).startsWith('web1 released'));
      expect(sim.commandLog.filter((c) => c.argv[0] === 'create').length).toBe(createsBefore);
      expect(xlNames('xen1')).toContain('web1');
      expect(ledger('xen1').away).toEqual({});
      expect(ledger('xen2').visitors).toEqual({});
      expect(await statusCode('xen1')).toBe(0);
      expect(await statusCode('xen2')).toBe(0);
    } finally {
      for (const a of agents) await a.stop();
    }
  }, 90_000);

  it("refuses to hand xen1 a domU that is not xen1's (db1, home xen2)", async () => {
    const r = await sysSsh('xen2', 'migrate2 db1');
    expect(r.code).toBe(77);
    expect(peerLines(r.stdout)).toEqual([expect.objectContaining({ t: 'result', ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('db1 is not a domU of xen1') })]);
  });

  it('a final-handshake failure consults both hosts over ssh and raises the alarm', async () => {
    const l = ledger('xen1');
    // start from a clean ledger on xen1 (the previous test left a reported mismatch)
    await pair.setLedger('xen1', noneAway);
    expect(l.host).toBe('xen1');
    sim.migrationFault('web1', 'handshake');
    const m = await cli('xen1', ['migrate', 'web1']);
    expect(m.code).toBe(83);
    expect(m.stderr).toMatch(/ALARM: .*listed on both hosts/);
    expect(ledger('xen1').away).toEqual({});
    expect(readFileSync(join(sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json'), 'utf8')).toContain('"away": {}');
  }, 60_000);
});
